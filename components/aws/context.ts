import type * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/** What every child of the AWS cluster component is created with. */
export interface AwsContext {
  /** Prefix of logical names; stable, so upgrades never rename (and replace) a resource. */
  name: string;
  parent: pulumi.Resource;
  provider: aws.Provider;
  tags: Record<string, string>;
}

/** Resource options of a child: parent and the explicit provider. */
export function childOptions(ctx: AwsContext, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { parent: ctx.parent, provider: ctx.provider, ...extra };
}
