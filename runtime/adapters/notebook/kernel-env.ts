/**
 * The environment of a notebook kernel. The client's KERNEL_VAR_<NAME> entries become the driver's
 * environment variable <NAME> as a config override (recorded with the application like any
 * override); everything the kernel needs from the runtime travels in KERNEL_SPARKPLANE_* entries,
 * the only ones the gateway passes on besides those it is told to.
 */
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';

const KERNEL_VAR = 'KERNEL_VAR_';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The config override of the client's KERNEL_VAR_<NAME> entries ({} without any); other entries
 * (KERNEL_USERNAME, KERNEL_WORKING_DIR...) are the client's own business and are dropped.
 */
export function kernelVarOverrides(env: Record<string, string> | undefined): ApplicationConfig {
  const envVars: Record<string, string> = {};
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(env ?? {})) {
    if (!key.startsWith(KERNEL_VAR)) continue;
    const name = key.slice(KERNEL_VAR.length);
    if (!ENV_NAME.test(name)) {
      const path = `env.${key}`;
      issues.push({
        path,
        message: `${path}: "${name}" is not an environment variable name: expected KERNEL_VAR_<NAME> with NAME of letters, digits and "_", not starting with a digit`,
      });
      continue;
    }
    envVars[name] = value;
  }
  if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
  return Object.keys(envVars).length > 0 ? { driver: { envVars } } : {};
}

/** What the kernel launcher reads (kernel/launcher.py). */
export interface KernelLaunch {
  /** The SparkSession's settings. */
  sparkConf: Record<string, string>;
  /** Set in the kernel's environment before Python starts: the config's driver.envVars. */
  env: Record<string, string>;
  /** Where the kernel's (and its Spark driver's) stdout and stderr go. */
  driverLogPath: string;
  /** The sc:// address of the Spark Connect server in the cluster that `spark` is a client of; absent: `spark` is a local driver. */
  sparkConnectUrl?: string;
}

/** The start request's environment for the gateway: the launch, as KERNEL_SPARKPLANE_* entries. */
export function gatewayEnv(launch: KernelLaunch): Record<string, string> {
  return {
    KERNEL_SPARKPLANE_CONF: JSON.stringify(launch.sparkConf),
    KERNEL_SPARKPLANE_ENV: JSON.stringify(launch.env),
    KERNEL_SPARKPLANE_LOG: launch.driverLogPath,
    ...(launch.sparkConnectUrl !== undefined ? { KERNEL_SPARKPLANE_REMOTE: launch.sparkConnectUrl } : {}),
  };
}
