/** The Kubernetes events of an application, as the native API serves them to the Application page. */
import { z } from 'zod';

export const KubeEvents = z
  .strictObject({
    /** False when the cluster's back-end has no Kubernetes (the local one): no events will ever come. */
    available: z.boolean(),
    /** Events of the SparkApplication and its pods, oldest first, one line each ("<time> <type> <reason> <object>: <message>"). */
    items: z.array(z.string()),
  })
  .meta({ id: 'KubeEvents' });
export type KubeEvents = z.infer<typeof KubeEvents>;
