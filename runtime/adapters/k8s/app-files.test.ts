import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import { KubernetesClusterSettings } from './cluster-settings';
import { podFile, podFiles } from './app-files';
import { renderSparkApplication } from './render';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('files of an application on the Kubernetes back-end', () => {
  it("maps spark-home:// to the image's Spark install and keeps pod-reachable URIs", () => {
    expect(podFile('spark-home://examples/src/main/python/pi.py', 'mainApplicationFile')).toBe(
      'local:///opt/spark/examples/src/main/python/pi.py',
    );
    for (const kept of ['local:///opt/app/etl.py', 's3a://code/etl.py', 'gs://code/a.jar', 'https://x.io/a.jar']) {
      expect(podFile(kept, 'mainApplicationFile')).toBe(kept);
    }
  });

  it("refuses the runtime's own files with a 400 naming the field, the value and what to use", () => {
    const cases: [string, string, RegExp][] = [
      ['mainApplicationFile', 'examples://shuffle_aggregation.py', /examples folder, which is not in the Spark image/],
      ['mainApplicationFile', 'file:///home/me/etl.py', /a file of the runtime's disk/],
      ['mainApplicationFile', '/home/me/etl.py', /a path on the runtime's machine/],
      ['mainApplicationFile', 'spark-home://../etc/passwd', /is not a path inside the Spark install/],
    ];
    for (const [field, value, why] of cases) {
      const error = refusal(() => podFile(value, field));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(why);
      expect(error.message).toContain(`${field}: ${JSON.stringify(value)}`);
      expect(error.message).toContain('expected a file in the image (local:///<absolute path>');
    }
  });

  it('checks each entry of deps by its index, and renders the mapped files', () => {
    const error = refusal(() =>
      podFiles({ mainApplicationFile: 's3a://c/a.py', deps: { pyFiles: ['s3a://c/u.zip', 'examples://lib.py'] } }),
    );
    expect(error.issues[0]?.path).toBe('deps.pyFiles[1]');
    const app = renderSparkApplication(
      {
        mainApplicationFile: 'spark-home://examples/jars/spark-examples.jar',
        mainClass: 'org.apache.spark.examples.SparkPi',
        deps: { jars: ['spark-home://jars/extra.jar'], packages: ['org.x:y:1'] },
      },
      { appId: 'pi-1', jobId: 'pi', clusterId: 'k8s', settings: KubernetesClusterSettings.parse({}) },
    );
    expect(app.spec.mainApplicationFile).toBe('local:///opt/spark/examples/jars/spark-examples.jar');
    expect(app.spec.deps).toEqual({ jars: ['local:///opt/spark/jars/extra.jar'], packages: ['org.x:y:1'] });
  });
});
