import { describe, expect, it } from 'vitest';
import { resolveAppFile } from './app-file';

const roots = { sparkHome: '/opt/spark', examplesDir: '/repo/examples' };

describe('resolveAppFile', () => {
  it('resolves spark-home:// against the Spark install', () => {
    expect(resolveAppFile('spark-home://examples/src/main/python/pi.py', roots, 'mainApplicationFile')).toEqual({
      location: '/opt/spark/examples/src/main/python/pi.py',
      localPath: '/opt/spark/examples/src/main/python/pi.py',
    });
  });

  it('resolves examples:// against the examples folder', () => {
    expect(resolveAppFile('examples://shuffle_aggregation.py', roots, 'f').localPath).toBe(
      '/repo/examples/shuffle_aggregation.py',
    );
  });

  it('reads local:// and file:// as absolute paths on this machine', () => {
    expect(resolveAppFile('local:///opt/jobs/a.jar', roots, 'f').localPath).toBe('/opt/jobs/a.jar');
    expect(resolveAppFile('file:///opt/jobs/a.jar', roots, 'f').localPath).toBe('/opt/jobs/a.jar');
    expect(resolveAppFile('/opt/jobs/a.jar', roots, 'f').localPath).toBe('/opt/jobs/a.jar');
  });

  it('leaves remote URIs to spark-submit', () => {
    expect(resolveAppFile('s3a://bucket/job.py', roots, 'f')).toEqual({ location: 's3a://bucket/job.py' });
    expect(resolveAppFile('https://host/a.jar', roots, 'f')).toEqual({ location: 'https://host/a.jar' });
  });

  it('refuses a relative path, naming the field and the value', () => {
    expect(() => resolveAppFile('jobs/pi.py', roots, 'mainApplicationFile')).toThrow(
      'mainApplicationFile: "jobs/pi.py" is a relative path: expected an absolute path or a URI',
    );
  });

  it('refuses a path climbing out of its root', () => {
    expect(() => resolveAppFile('examples://../secrets.txt', roots, 'deps.files[0]')).toThrow(
      'deps.files[0]: "examples://../secrets.txt" is outside /repo/examples',
    );
  });
});
