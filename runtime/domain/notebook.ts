/**
 * The Jupyter kernel gateway API as the runtime serves it (what jupyter-server's GatewayClient
 * reads and sends), and the port of the kernels behind it. The upstream gateway's own fields pass
 * through (loose objects): Jupyter adds fields from version to version.
 */
import { z } from 'zod';
import type { Application } from './application';

/** A kernelspec name: a config template id (Jupyter allows letters, digits, ".", "_" and "-"). */
export const KernelSpecName = z
  .string()
  .regex(/^[A-Za-z0-9._-]+$/, { message: 'is not a kernelspec name: expected a config template id of the cluster' });

/** The kernel.json of a kernelspec. */
export const KernelSpecFile = z
  .looseObject({
    argv: z.array(z.string()),
    display_name: z.string(),
    language: z.string(),
    interrupt_mode: z.enum(['signal', 'message']).optional(),
    env: z.record(z.string(), z.string()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'JupyterKernelSpecFile' });
export type KernelSpecFile = z.infer<typeof KernelSpecFile>;

export const KernelSpec = z
  .strictObject({
    name: z.string(),
    spec: KernelSpecFile,
    /** Resource name (logo-64x64...) -> URL; the runtime serves none. */
    resources: z.record(z.string(), z.string()),
  })
  .meta({ id: 'JupyterKernelSpec' });
export type KernelSpec = z.infer<typeof KernelSpec>;

export const KernelSpecs = z
  .strictObject({
    /** The kernelspec a client starts when it names none ("" when the cluster has no template). */
    default: z.string(),
    kernelspecs: z.record(z.string(), KernelSpec),
  })
  .meta({ id: 'JupyterKernelSpecs' });
export type KernelSpecs = z.infer<typeof KernelSpecs>;

/** A running kernel, as Jupyter describes it. */
export const Kernel = z
  .looseObject({
    id: z.string(),
    /** The kernelspec it was started from (the config template id). */
    name: z.string(),
    /** ISO 8601, e.g. "2026-12-03T12:00:00.000000Z". */
    last_activity: z.string(),
    execution_state: z.string(),
    connections: z.number().int(),
  })
  .meta({ id: 'JupyterKernel' });
export type Kernel = z.infer<typeof Kernel>;

/** POST api/kernels: the kernelspec and the client's KERNEL_* environment. */
export const KernelStartRequest = z
  .looseObject({
    name: KernelSpecName.optional(),
    /** KERNEL_VAR_<NAME> entries reach the kernel as <NAME>; other entries are ignored. */
    env: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'JupyterKernelStartRequest' });
export type KernelStartRequest = z.infer<typeof KernelStartRequest>;

export const KernelIdParams = z.strictObject({ clusterId: z.string(), kernelId: z.string().min(1) });

/** The kernels of notebook applications: what the notebook use cases ask of the gateway adapter. */
export interface NotebookKernels {
  /** The application of a kernel this runtime started and that is still running. */
  appOf(kernelId: string): string | undefined;
  /** The kernel's current model; undefined when the gateway no longer has it. */
  model(kernelId: string): Promise<Kernel | undefined>;
  interrupt(kernelId: string): Promise<void>;
  restart(kernelId: string): Promise<Kernel | undefined>;
  /** Shuts the kernel down cleanly; its application ends COMPLETED with `reason`. */
  shutdown(app: Application, reason: string): Promise<void>;
}
