/** Interactive Spark Connect sessions: applications of type session, which belong to no job. */
import { z } from 'zod';
import { ResourceId, Timestamp } from './common';
import { Application } from './application';
import { ApplicationConfig } from './config';

/** What a session serves (ApplicationConfig.session.kind). */
export type SessionKind = NonNullable<NonNullable<ApplicationConfig['session']>['kind']>;

/** A session's kind: its config's, else a Spark Connect server. */
export function sessionKindOf(config: ApplicationConfig): SessionKind {
  return config.session?.kind ?? 'connect';
}

/** Minutes without a request before a session is stopped, when neither the session nor its template says. */
export const DEFAULT_SESSION_IDLE_MINUTES = 60;

export const SessionStartRequest = z
  .strictObject({
    clusterId: ResourceId,
    /** @default a generated id, "session-<time>-<random>" */
    appId: ResourceId.optional(),
    configTemplateId: ResourceId.optional(),
    /** Highest in the merge, as for an application; `session.idleTimeoutMinutes` sets this session's idle time-out. */
    configOverrides: ApplicationConfig.optional(),
  })
  .meta({
    id: 'SessionStartRequest',
    examples: [
      { clusterId: 'local', configOverrides: { driver: { memory: '512m' }, session: { idleTimeoutMinutes: 30 } } },
    ],
  });
export type SessionStartRequest = z.infer<typeof SessionStartRequest>;

const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
  message: 'is not a UUID such as "0f8fad5b-d9cb-469f-a165-70867728950e"',
});

export const SessionView = z
  .strictObject({
    /** The application the session is (type session, no jobId): state, reasons, metrics, cost. */
    application: Application,
    /** The Spark Connect session_id the session answers to (Spark Connect requires a UUID). */
    sessionId: Uuid,
    /** Minutes without a request after which it is stopped (the session's config, else 60). */
    idleTimeoutMinutes: z.number(),
    /** The last request a relay passed to it (its start until then); absent once it ended. */
    lastActivityAt: Timestamp.optional(),
    connect: z.strictObject({
      /** Spark Connect URL through the runtime's gRPC proxy; put your sparkplane token in place of <token>. */
      sparkConnectUrl: z.string(),
      /** The Ocean WebSocket path the ocean-spark-connect client uses (Authorization: Bearer <token>). */
      oceanPath: z.string(),
      /** A sql session only: the Ocean WebSocket path of HiveServer2's binary Thrift (dbt-ocean-spark's method thrift). */
      hivePath: z.string().optional(),
      /** A sql session only: the Ocean HTTP path of Thrift over HTTP POST, application/x-thrift (dbt-ocean-spark's method http). */
      codePath: z.string().optional(),
    }),
  })
  .meta({ id: 'Session' });
export type SessionView = z.infer<typeof SessionView>;

export const SessionList = z.strictObject({ items: z.array(SessionView), nextCursor: z.string().optional() }).meta({
  id: 'SessionList',
});
export type SessionList = z.infer<typeof SessionList>;
