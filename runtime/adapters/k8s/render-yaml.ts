/** The dry run: the resources the kubernetes back-end would create for an application, as YAML. */
import { stringify } from 'yaml';
import type { ApplicationConfig } from '../../domain/config';
import { type RenderContext, renderSparkApplication } from './render';
import type { SparkApplication } from './spark-application';

/** Every resource `KubernetesSparkBackend.submit` creates for the application, in creation order. */
export function renderResources(config: ApplicationConfig, context: RenderContext): SparkApplication[] {
  return [renderSparkApplication(config, context)];
}

/** renderResources as a multi-document YAML stream, ready for review or `kubectl apply -f -`. */
export function renderResourcesYaml(config: ApplicationConfig, context: RenderContext): string {
  return renderResources(config, context)
    .map((resource) => stringify(resource, { sortMapEntries: false, lineWidth: 0 }))
    .map((document) => `---\n${document}`)
    .join('');
}
