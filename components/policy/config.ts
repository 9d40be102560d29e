/** The standards a platform team sets, as the policy pack's configuration (each value with its default). */
import { z } from 'zod';

export const StandardsConfig = z.strictObject({
  /**
   * Regions clusters may be created in (AWS and GCP).
   * @default ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "europe-west1", "europe-west4", "us-central1", "us-east1"]
   */
  allowedRegions: z
    .array(z.string().min(1))
    .min(1)
    .default([
      'eu-west-1',
      'eu-central-1',
      'us-east-1',
      'us-west-2',
      'europe-west1',
      'europe-west4',
      'us-central1',
      'us-east1',
    ]),
  /** Tag keys every taggable cloud resource carries. @default ["environment", "owner", "cost-center"] */
  requiredTags: z.array(z.string().min(1)).default(['environment', 'owner', 'cost-center']),
});
export type StandardsConfig = z.output<typeof StandardsConfig>;
