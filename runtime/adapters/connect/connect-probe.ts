/**
 * Whether a Spark Connect server answers: one real gRPC call over HTTP/2 (an empty
 * SparkConnectService/Config request). Any gRPC answer, an error status included (the empty request
 * names no session), proves the server is up and serving; a refused connection or a non-gRPC reply
 * does not. Used for a session's readiness: the process being started is not enough.
 */
import { connect } from 'node:http2';

const CONFIG_METHOD = '/spark.connect.SparkConnectService/Config';

/** gRPC's length-prefixed message framing of an empty protobuf message: not compressed, length 0. */
const EMPTY_MESSAGE = Buffer.alloc(5);

/** Resolves true when a gRPC status came back within timeoutMs, false otherwise (never rejects). */
export function sparkConnectAnswers(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const session = connect(`http://${host}:${port}`);
    let settled = false;
    const done = (answered: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    session.on('error', () => done(false));
    const stream = session.request({
      ':method': 'POST',
      ':path': CONFIG_METHOD,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const answered = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) done(true);
    };
    // a gRPC error comes as headers only (trailers-only response); a success ends with trailers
    stream.on('response', answered);
    stream.on('trailers', answered);
    stream.on('error', () => done(false));
    stream.on('close', () => done(false));
    stream.resume();
    stream.end(EMPTY_MESSAGE);
  });
}
