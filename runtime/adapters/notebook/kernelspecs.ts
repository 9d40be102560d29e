/**
 * The kernelspecs a cluster offers: one Python kernel per config template, named by the template
 * id. Every one runs the same launcher on the gateway (UPSTREAM_KERNEL); what differs, the merged
 * config, travels in the start request's environment.
 */
import type { KernelSpec, KernelSpecs } from '../../domain/notebook';
import type { StoredTemplate } from '../../domain/resources';

/** What a kernelspec is made from: a stored template. */
export type StoredTemplateView = Pick<StoredTemplate, 'id' | 'clusterId' | 'config'>;

/** The one kernelspec installed in the gateway: Python with a SparkSession ready as `spark`. */
export const UPSTREAM_KERNEL = 'sparkplane-pyspark';

/** The kernelspec of a template, as a GatewayClient shows it (its display name names the template and the cluster). */
export function kernelSpecOf(template: StoredTemplateView): KernelSpec {
  const cores = template.config.driver?.cores;
  const memory = template.config.driver?.memory;
  const driver = [cores !== undefined ? `${cores} cores` : '', memory ?? ''].filter((s) => s !== '').join(', ');
  return {
    name: template.id,
    spec: {
      argv: ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: `PySpark ${template.id} (${template.clusterId})${driver ? ` - driver ${driver}` : ''}`,
      language: 'python',
      interrupt_mode: 'signal',
      metadata: { sparkplane: { clusterId: template.clusterId, configTemplateId: template.id } },
    },
    resources: {},
  };
}

/** Every template of the cluster as a kernelspec; the first by id is the default. */
export function kernelSpecsOf(templates: StoredTemplateView[]): KernelSpecs {
  const sorted = [...templates].sort((a, b) => a.id.localeCompare(b.id));
  return {
    default: sorted[0]?.id ?? '',
    kernelspecs: Object.fromEntries(sorted.map((t) => [t.id, kernelSpecOf(t)])),
  };
}
