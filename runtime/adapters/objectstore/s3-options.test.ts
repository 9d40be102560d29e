import { describe, expect, it } from 'vitest';
import { isObjectUrl, parseObjectUrl } from './object-url';
import { s3OptionsFromEnv } from './s3-options';

describe('s3OptionsFromEnv', () => {
  it('reads region, endpoint and path style; nothing set gives the SDK defaults', () => {
    expect(s3OptionsFromEnv({})).toEqual({});
    expect(
      s3OptionsFromEnv({
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: 'http://minio:9000',
        SPARKPLANE_S3_FORCE_PATH_STYLE: 'false',
      }),
    ).toEqual({ region: 'eu-west-1', endpoint: 'http://minio:9000', forcePathStyle: false });
    expect(
      s3OptionsFromEnv({ AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL_S3: 'https://s3.example', AWS_ENDPOINT_URL: 'x' }),
    ).toEqual({
      region: 'us-west-2',
      endpoint: 'https://s3.example',
    });
  });

  it('names a bad variable and what is expected', () => {
    expect(() => s3OptionsFromEnv({ AWS_ENDPOINT_URL_S3: 'minio:9000' })).toThrow(
      'AWS_ENDPOINT_URL_S3="minio:9000" is not an http(s):// URL such as "http://minio:9000"',
    );
    expect(() => s3OptionsFromEnv({ SPARKPLANE_S3_FORCE_PATH_STYLE: 'yes' })).toThrow(
      'SPARKPLANE_S3_FORCE_PATH_STYLE="yes" is not "true" or "false"',
    );
  });
});

describe('object URLs', () => {
  it('parses s3a://, s3:// and gs:// and trims slashes', () => {
    expect(parseObjectUrl('s3a://bucket/a/b/')).toMatchObject({ scheme: 's3', bucket: 'bucket', key: 'a/b' });
    expect(parseObjectUrl('gs://bucket')).toMatchObject({ scheme: 'gs', bucket: 'bucket', key: '' });
    expect([isObjectUrl('s3://b/k'), isObjectUrl('file:///tmp/x'), isObjectUrl('/tmp/x')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(() => parseObjectUrl('hdfs://nn/logs')).toThrow(/"hdfs:\/\/nn\/logs" is not an object-storage URL/);
  });
});
