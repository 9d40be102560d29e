/** S3 settings of the runtime, from its environment (one identity and endpoint for every cluster). */
import type { S3StoreOptions } from './s3-object-store';

/**
 * AWS_REGION (or AWS_DEFAULT_REGION): the region the client starts from; buckets elsewhere are
 * followed by redirect. AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL): an S3-compatible endpoint.
 * SPARKPLANE_S3_FORCE_PATH_STYLE=true|false: path-style addressing (default: true with an endpoint).
 * Credentials are never read here: the SDK's chain finds them (AWS_ACCESS_KEY_ID..., EKS Pod
 * Identity, IRSA's AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, AWS_PROFILE, instance metadata).
 */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv = process.env): S3StoreOptions {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const endpointVariable = env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL';
  const endpoint = env[endpointVariable] || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new Error(
      `${endpointVariable}=${JSON.stringify(endpoint)} is not an http(s):// URL such as "http://minio:9000"`,
    );
  }
  const pathStyle = env.SPARKPLANE_S3_FORCE_PATH_STYLE;
  if (pathStyle !== undefined && pathStyle !== '' && pathStyle !== 'true' && pathStyle !== 'false') {
    throw new Error(`SPARKPLANE_S3_FORCE_PATH_STYLE=${JSON.stringify(pathStyle)} is not "true" or "false"`);
  }
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(pathStyle ? { forcePathStyle: pathStyle === 'true' } : {}),
  };
}
