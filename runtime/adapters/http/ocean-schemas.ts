/**
 * The Ocean Spark API's shapes, as ../shared/reference/ocean-spark-api.md describes them: the
 * response envelope and its items. Built from the domain's schemas wherever the fields are ours.
 */
import { z } from 'zod';
import { BackendKind, ClusterState } from '../../domain/cluster';
import { ResourceId, Timestamp } from '../../domain/common';
import { ApplicationConfig } from '../../domain/config';
import { ERROR_CODES } from '../../domain/errors';
import { SubmissionSource } from '../../domain/application';
import { AppState } from '../../domain/states';

export const OCEAN_KINDS = {
  application: 'spotinst:ocean:spark:application',
  cluster: 'spotinst:ocean:spark:cluster',
  configTemplate: 'spotinst:ocean:spark:configTemplate',
} as const;

/** Every call names the account; sparkplane has one account per runtime and echoes it. */
export const AccountQuery = z.looseObject({
  accountId: z.string().min(1).meta({ description: 'The Ocean account id; echoed in the answers.' }),
});

/**
 * The hosted product's states: NEW is not one of them (the Airflow provider fails a task that
 * polls a state it does not know), so an application not yet handed to its back-end reads PENDING.
 */
const OceanAppState = AppState.exclude(['NEW']);

const RequestPart = z.strictObject({ id: z.string(), url: z.string(), method: z.string(), timestamp: Timestamp });
const Status = z.strictObject({ code: z.number().int(), message: z.string() });

/** The envelope of a successful answer holding items of one kind. */
function oceanEnvelope<T extends z.ZodType>(kind: string, item: T) {
  return z.strictObject({
    request: RequestPart,
    response: z.strictObject({
      status: Status,
      kind: z.literal(kind),
      items: z.array(item),
      count: z.number().int().min(0),
    }),
  });
}

export const OceanErrorEnvelope = z
  .strictObject({
    request: RequestPart,
    response: z.strictObject({
      status: Status,
      errors: z.array(z.strictObject({ code: z.enum(ERROR_CODES), message: z.string(), field: z.string().optional() })),
    }),
  })
  .meta({ id: 'OceanError' });
export type OceanErrorEnvelope = z.infer<typeof OceanErrorEnvelope>;

export const OCEAN_ERROR_RESPONSES = { '4xx': OceanErrorEnvelope, '5xx': OceanErrorEnvelope } as const;

const Nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

/** What every Ocean item carries: its account (echoed) and times. */
const itemFields = { accountId: z.string(), createdAt: Timestamp, updatedAt: Timestamp };

export const OceanApplicationItem = z
  .strictObject({
    id: ResourceId,
    /** UUID-shaped, derived from the id (the hosted product's internalId was a UUID). */
    internalId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    displayName: z.string(),
    userId: Nullable(z.string()),
    clusterId: ResourceId,
    controllerClusterId: z.string(),
    appState: OceanAppState,
    stateReason: Nullable(z.string()),
    submissionSource: SubmissionSource,
    /** Null for an interactive application (a session, a notebook): it belongs to no job. */
    job: Nullable(z.strictObject({ id: ResourceId, displayName: z.string() })),
    configTemplateId: Nullable(ResourceId),
    config: ApplicationConfig,
    ...itemFields,
    startedAt: Nullable(Timestamp),
    endedAt: Nullable(Timestamp),
    log: z.strictObject({ logsStreamUrl: z.string(), kubeEventsStreamUrl: z.string() }),
    metrics: Nullable(
      z.strictObject({
        cost: z.strictObject({ total: z.number() }),
        spark: z.strictObject({
          sparkCoresDurationSeconds: z.number(),
          inputDataBytes: z.number(),
          outputDataBytes: z.number(),
          durationSeconds: z.number(),
          efficiencyPercent: z.number(),
        }),
      }),
    ),
  })
  .meta({ id: 'OceanApplication' });
export type OceanApplicationItem = z.infer<typeof OceanApplicationItem>;

export const OceanClusterItem = z
  .strictObject({
    id: ResourceId,
    ...itemFields,
    displayName: z.string(),
    state: ClusterState,
    controllerClusterId: z.string(),
    oceanClusterId: Nullable(z.string()),
    backend: BackendKind,
    /** The back-end settings. */
    config: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'OceanCluster' });
export type OceanClusterItem = z.infer<typeof OceanClusterItem>;

export const OceanTemplateItem = z
  .strictObject({
    id: ResourceId,
    ...itemFields,
    clusterId: ResourceId,
    config: ApplicationConfig,
  })
  .meta({ id: 'OceanConfigTemplate' });
export type OceanTemplateItem = z.infer<typeof OceanTemplateItem>;

export const OceanApplications = oceanEnvelope(OCEAN_KINDS.application, OceanApplicationItem);
export const OceanClusters = oceanEnvelope(OCEAN_KINDS.cluster, OceanClusterItem);
export const OceanTemplates = oceanEnvelope(OCEAN_KINDS.configTemplate, OceanTemplateItem);

/**
 * POST /cluster: `{cluster: {oceanClusterId, config}}`; `config.backend` names the back-end kind
 * (@default "kubernetes", what a hosted cluster was) and the rest of `config` is its settings.
 */
export const OceanClusterCreate = z.strictObject({
  cluster: z.looseObject({
    oceanClusterId: z.string().min(1).optional(),
    config: z.looseObject({ backend: BackendKind.optional() }).default({}),
  }),
});

/** PUT /cluster/{id}: `{cluster: {config}}`, settings to merge into the cluster's; `config.displayName` renames it. */
export const OceanClusterUpdate = z.strictObject({
  cluster: z.looseObject({
    config: z.looseObject({ displayName: z.string().min(1).max(100).optional() }).default({}),
  }),
});
