/**
 * Stops in Spark the executions of Spark Connect clients that went away. Spark 4.0 stops an
 * execution no call is attached to only when its detached-operation sweep finds it (5 min by
 * default), and a response sender within a millisecond of its stream deadline can wait without
 * end (its wait's timeout rounds down to 0 ms, "forever"), so the execution never counts as detached
 * and runs on. When a client's ExecutePlan or ReattachExecute call ends without its answer
 * (reset, connection lost), the proxy waits `graceMs` for the client to reattach through it, then
 * sends Interrupt (by operation id) with the session id and user context of the dead call, as a
 * client that cancels does. The execution ends Canceled, which wakes its sender, and Spark's sweep
 * then forgets it. (No ReleaseExecute: Spark 4.0 closes an execution without waiting for its
 * interruption to end, and answers INTERNAL when that has not happened yet.)
 */
import type { Logger } from '../../domain/ports';
import { encodeMessage, StreamedMessageFields } from './grpc-frame';

/** Where an execution's request has its handle (ExecutePlanRequest, ReattachExecuteRequest). */
const HANDLE_FIELDS: Record<string, { userContext: number; operationId: number }> = {
  ExecutePlan: { userContext: 2, operationId: 6 },
  ReattachExecute: { userContext: 2, operationId: 3 },
};
const SESSION_ID_FIELD = 1;
const INTERRUPT_TYPE_OPERATION_ID = 3;
const CLIENT_TYPE = 'sparkplane-connect-proxy';

/** What names an execution in Spark: its session, the caller's user context and its operation id. */
export interface ExecutionHandle {
  sessionId: string;
  /** The call's UserContext message as it came (absent: none was sent). */
  userContext: Buffer | undefined;
  operationId: string;
}

/** A unary call to the execution's Spark Connect server: its gRPC status and message. */
export type SendToServer = (
  method: 'Interrupt',
  message: Buffer,
) => Promise<{
  status: string | undefined;
  message: string;
}>;

/** Reads the handle of an ExecutePlan or ReattachExecute call from its request bytes; undefined for other methods. */
export function handleReader(method: string): HandleReader | undefined {
  const fields = HANDLE_FIELDS[method];
  return fields && new HandleReader(fields);
}

export class HandleReader {
  private readonly message: StreamedMessageFields;

  constructor(private readonly fields: { userContext: number; operationId: number }) {
    this.message = new StreamedMessageFields(new Set([SESSION_ID_FIELD, fields.userContext, fields.operationId]));
  }

  get ended(): boolean {
    return this.message.ended;
  }

  push(bytes: Uint8Array): void {
    this.message.push(bytes);
  }

  /** The handle, once the first message was read; undefined before, or when it has no operation id. */
  get handle(): ExecutionHandle | undefined {
    const read = this.message.complete;
    const sessionId = read?.get(SESSION_ID_FIELD);
    const operationId = read?.get(this.fields.operationId);
    if (sessionId === undefined || operationId === undefined) return undefined;
    return {
      sessionId: sessionId.toString('utf8'),
      userContext: read!.get(this.fields.userContext),
      operationId: operationId.toString('utf8'),
    };
  }
}

export class AbandonedExecutions {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Calls attached now, by execution: a client's reattach can reach the proxy before its dead call's end does. */
  private readonly open = new Map<string, number>();

  constructor(
    private readonly graceMs: number,
    private readonly logger: Logger,
  ) {}

  /** A call attached to the execution of `key` (a server and an operation): a stop still pending is dropped. */
  attach(key: string): void {
    this.drop(key);
    this.open.set(key, (this.open.get(key) ?? 0) + 1);
  }

  /**
   * A call of the execution ended: with its answer (the client is there, a pending stop is dropped),
   * or without (the client went away: unless a call is or gets attached within the grace, it is stopped).
   */
  detach(key: string, clientWentAway: { handle: ExecutionHandle; send: SendToServer } | undefined): void {
    const open = (this.open.get(key) ?? 1) - 1;
    if (open > 0) this.open.set(key, open);
    else this.open.delete(key);
    this.drop(key);
    if (clientWentAway === undefined) return;
    const timer = setTimeout(() => {
      this.pending.delete(key);
      if (!this.open.has(key)) void this.stop(clientWentAway.handle, clientWentAway.send);
    }, this.graceMs);
    timer.unref();
    this.pending.set(key, timer);
  }

  /** Drops every pending stop (the proxy is closing). */
  close(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private drop(key: string): void {
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
  }

  private async stop(handle: ExecutionHandle, send: SendToServer): Promise<void> {
    const where = { sessionId: handle.sessionId, operationId: handle.operationId };
    const context: [number, Buffer][] = handle.userContext ? [[2, handle.userContext]] : [];
    try {
      const answer = await send(
        'Interrupt',
        encodeMessage([
          [1, handle.sessionId],
          ...context,
          [3, CLIENT_TYPE],
          [4, INTERRUPT_TYPE_OPERATION_ID],
          [6, handle.operationId],
        ]),
      );
      this.logger.info(
        { ...where, ...answer },
        'spark connect proxy: interrupted the execution of a client that went away',
      );
    } catch (error) {
      this.logger.warn(
        { ...where, err: (error as Error).message },
        'spark connect proxy: could not interrupt the execution of a client that went away',
      );
    }
  }
}
