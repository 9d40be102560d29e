import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import { gatewayEnv, kernelVarOverrides } from './kernel-env';

describe("a kernel start request's environment", () => {
  it('turns KERNEL_VAR_<NAME> into the driver variable <NAME> and drops every other entry', () => {
    expect(
      kernelVarOverrides({
        KERNEL_VAR_DATA_BUCKET: 's3a://acme',
        KERNEL_VAR_mixed_Case1: 'x',
        KERNEL_USERNAME: 'ana',
        KERNEL_WORKING_DIR: '/home/ana/work',
        PATH: '/evil',
      }),
    ).toEqual({ driver: { envVars: { DATA_BUCKET: 's3a://acme', mixed_Case1: 'x' } } });
  });

  it('is no override at all without KERNEL_VAR_ entries', () => {
    expect(kernelVarOverrides(undefined)).toEqual({});
    expect(kernelVarOverrides({ KERNEL_USERNAME: 'ana' })).toEqual({});
  });

  it('refuses a KERNEL_VAR_ entry whose name is no variable name, naming the entry and what is expected', () => {
    let caught: unknown;
    try {
      kernelVarOverrides({ KERNEL_VAR_: 'a', KERNEL_VAR_1X: 'b', KERNEL_VAR_OK: 'c' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    const error = caught as DomainError;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues?.map((i) => i.path)).toEqual(['env.KERNEL_VAR_', 'env.KERNEL_VAR_1X']);
    expect(error.message).toContain('env.KERNEL_VAR_1X: "1X" is not an environment variable name');
  });

  it('carries what the kernel launcher needs as KERNEL_SPARKPLANE_* entries, the only ones the gateway passes on', () => {
    const env = gatewayEnv({
      sparkConf: { 'spark.master': 'local[2]' },
      env: { DATA_BUCKET: 's3a://acme' },
      driverLogPath: '/data/notebooks/apps/n-1/driver.log',
    });
    expect(Object.keys(env).every((key) => key.startsWith('KERNEL_SPARKPLANE_'))).toBe(true);
    expect(JSON.parse(env.KERNEL_SPARKPLANE_CONF!)).toEqual({ 'spark.master': 'local[2]' });
    expect(JSON.parse(env.KERNEL_SPARKPLANE_ENV!)).toEqual({ DATA_BUCKET: 's3a://acme' });
    expect(env.KERNEL_SPARKPLANE_LOG).toBe('/data/notebooks/apps/n-1/driver.log');
  });
});
