/**
 * A real Spark Connect server (spark-submit of the project's Spark, the spark-connect jar pyspark
 * ships) bound to loopback, and the real PySpark Spark Connect client driven as a child process
 * (test/support/spark_connect_client.py), for the sc:// tests and bench:session.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import http2 from 'node:http2';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { freePort } from '../../runtime/adapters/local/spark-ui-port';
import { grpcCall, sparkConnectMessage } from './grpc-wire';
import { REPOSITORY, type SparkEnv, waitFor } from './spark';

export const SPARK_CONNECT_JAR = 'jars/spark-connect_2.13-4.0.1.jar';

export interface SparkConnectServer {
  host: string;
  port: number;
  /** The pre-shared token the server requires (spark.connect.authenticate.token); undefined: none, as in a cluster. */
  token: string | undefined;
  /** Its driver's output so far. */
  log: () => string;
  /** Stops the server's process group (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop: () => Promise<void>;
}

/**
 * Starts a Spark Connect server in `dir` (its warehouse and scratch space), with `extraConf` over
 * its settings, and resolves once it answers a gRPC call; a server that exits first rejects with
 * its output.
 */
export async function startSparkConnectServer(
  env: SparkEnv,
  dir: string,
  token: string | undefined,
  extraConf: Record<string, string> = {},
  /** @default a free port */
  atPort?: number,
): Promise<SparkConnectServer> {
  mkdirSync(dir, { recursive: true });
  const host = '127.0.0.1';
  const port = atPort ?? (await freePort(host));
  const conf = {
    'spark.connect.grpc.binding.address': host,
    'spark.connect.grpc.binding.port': String(port),
    ...(token !== undefined ? { 'spark.connect.authenticate.token': token } : {}),
    'spark.driver.host': host,
    'spark.driver.bindAddress': host,
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': '4',
    'spark.sql.warehouse.dir': join(dir, 'warehouse'),
    'spark.local.dir': join(dir, 'scratch'),
    ...extraConf,
  };
  const child = spawn(
    join(env.sparkHome, 'bin', 'spark-submit'),
    [
      '--class',
      'org.apache.spark.sql.connect.service.SparkConnectServer',
      '--name',
      'sparkplane-connect-test',
      '--master',
      'local[2]',
      '--driver-memory',
      '512m',
      ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
      join(env.sparkHome, SPARK_CONNECT_JAR),
    ],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPARK_HOME: env.sparkHome, JAVA_HOME: env.javaHome, SPARK_LOCAL_IP: host },
    },
  );
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = once(child, 'exit');
  const server: SparkConnectServer = { host, port, token, log: () => output, stop: () => stopGroup(child, exited) };
  try {
    await waitFor(
      () => `the Spark Connect server on ${host}:${port} to answer (its output: ${output.slice(-2000)})`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`the Spark Connect server exited with ${child.exitCode}: ${output.slice(-4000)}`);
        return answers(host, port, token);
      },
      180_000,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Ready means the endpoint answers a gRPC call with a status (any), not that the process started. */
async function answers(host: string, port: number, token: string | undefined): Promise<boolean> {
  const session = http2.connect(`http://${host}:${port}`);
  session.on('error', () => undefined);
  try {
    const result = await grpcCall(
      session,
      'Config',
      [sparkConnectMessage('00000000-0000-4000-8000-000000000000')],
      token !== undefined ? { authorization: `Bearer ${token}` } : {},
    );
    return result.status !== undefined;
  } catch {
    return false;
  } finally {
    session.destroy();
  }
}

async function stopGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** What the Python client answers to each command. */
export type ClientReply =
  { ok: true; rows?: unknown[][]; seconds?: number } | { ok: false; status: string; message: string };

/**
 * The real PySpark Spark Connect client (the venv's python), one process holding named
 * SparkSessions; commands and replies are JSON lines. It trusts the CA in `caFile`.
 */
export class SparkConnectClient {
  private readonly lines: Interface;
  private readonly pending: ((reply: ClientReply) => void)[] = [];
  private stderr = '';
  private readonly exited: Promise<unknown>;

  constructor(
    pythonPath: string,
    caFile: string,
    private readonly child: ChildProcess = spawn(
      pythonPath,
      [join(REPOSITORY, 'test/support/spark_connect_client.py')],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile, PYTHONUNBUFFERED: '1' },
      },
    ),
  ) {
    this.exited = once(child, 'exit');
    child.stderr!.on('data', (data: Buffer) => (this.stderr = (this.stderr + data.toString()).slice(-8000)));
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (line) => this.pending.shift()?.(JSON.parse(line) as ClientReply));
    void this.exited.then(() => {
      for (const reply of this.pending.splice(0)) {
        reply({ ok: false, status: 'EXITED', message: `the client exited: ${this.stderr}` });
      }
    });
  }

  /** Sends one command and waits for its reply. */
  send(
    command:
      | { op: 'ping' }
      | { op: 'connect'; name: string; url: string }
      | { op: 'sql'; name: string; sql: string; reattachable?: boolean },
  ): Promise<ClientReply> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    });
  }

  /** What the client wrote to stderr lately (its logs). */
  errors(): string {
    return this.stderr;
  }

  /** SIGKILL, as a client that dies (or a laptop that closes) would end its connections. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}
