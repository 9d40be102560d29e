/**
 * The `local` back-end: each application is a real spark-submit from the Spark install, in its own
 * process group, with its driver log and Spark event log under the runtime's data directory.
 *
 * Lifecycle: RUNNING as soon as spark-submit is spawned (the log shows whether the SparkContext
 * started; a run that dies before is FAILED with that reason). COMPLETED on exit 0, FAILED with
 * the exit code and the driver's exception line otherwise, KILLED after kill().
 *
 * Restarts: a wrapper shell records spark-submit's exit code in a file even while no runtime runs,
 * so an application that ended meanwhile gets its true final state. One still running when a new
 * runtime asks about it is not adopted: its process group is stopped and it is reported FAILED
 * ("runtime restarted while the application was running; ..."). Adopting would need a watcher per
 * orphan and still could not follow its stdout; stopping is predictable and nothing stays RUNNING.
 * One data directory belongs to one runtime process at a time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Demand, Resources } from '../../domain/admission';
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import {
  type BackendListener,
  type BackendStatus,
  type ConnectEndpoint,
  type Clock,
  type Logger,
  silentLogger,
  type SparkBackend,
  type SparkUiTarget,
} from '../../domain/ports';
import { sessionKindOf, type SessionKind } from '../../domain/session';
import { isTerminal } from '../../domain/states';
import {
  findEventLog,
  type LocalAppPaths,
  type LocalAppRecord,
  localAppPaths,
  readExitCode,
  readRecord,
  writeRecord,
} from './app-files';
import { diskProblem } from './disk';
import { failureReason } from './driver-failure';
import { readLogLines, tailLines } from './log-lines';
import { isOwnGroupAlive, processStartTicks, stopGroup } from './process-group';
import { localDemand } from './local-demand';
import { buildSparkSubmitCommand } from './spark-submit-command';
import { freePort, sparkUiPortOf, uiUrl } from './spark-ui-port';
import { sparkConnectAnswers } from '../connect/connect-probe';
import { thriftServerAnswers } from '../thrift/thrift-probe';

export interface LocalSparkBackendOptions {
  /** The runtime's data directory; `apps/<appId>/` and `eventlogs/<appId>/` go under it. */
  dataDir: string;
  /** Free space of the data directory's disk under which no application starts. @default 256 */
  minFreeDiskMiB?: number;
  /** The Spark install that runs the applications (see runtime/main/spark-install.ts). */
  sparkHome: string;
  /** The JDK Spark runs on. @default the runtime's own environment: JAVA_HOME, else `java` on PATH */
  javaHome?: string;
  /** The Python of PySpark drivers and workers. @default the runtime's PYSPARK_PYTHON, else Spark's own default */
  pythonPath?: string;
  /** The sparkplane cluster it serves, named in its log lines. @default "local" */
  clusterId?: string;
  /** What `examples://` refers to. @default this repository's examples/ folder */
  examplesDir?: string;
  /**
   * What this machine runs at once, for admission: applications beyond it wait, PENDING with the
   * reason. @default the machine's: os.availableParallelism() cores and os.totalmem()
   */
  capacity?: Resources;
  /** Most cores one application may use: caps local[N] and local-cluster[...]. @default os.availableParallelism(), at most the capacity's cores */
  maxParallelism?: number;
  /** Largest executor memory in local-cluster mode, in MiB. @default 2048 */
  maxExecutorMemoryMiB?: number;
  /** Run applications asking for 2+ executors as local-cluster[...] (one JVM per executor). @default true */
  localCluster?: boolean;
  /**
   * The address the applications' drivers, block managers and UIs bind to and advertise
   * (SPARK_LOCAL_IP, spark.driver.host, spark.driver.bindAddress); an application's own sparkConf
   * values of those settings win. @default "127.0.0.1"
   */
  bindAddress?: string;
  /** Seconds between SIGTERM and SIGKILL when stopping an application. @default 10 */
  killGraceSeconds?: number;
  /** Seconds a session's server (Spark Connect, or the Thrift Server of a sql session) has to answer after its start before it is stopped, with the reason. @default 180 */
  connectReadySeconds?: number;
  /** Stop the applications still running when close() is called (reported KILLED). @default true */
  killOnClose?: boolean;
  /** @default the system clock */
  clock?: Clock;
  /** @default silentLogger */
  logger?: Logger;
}

/** Runs spark-submit; records its exit code where a restarted runtime finds it ($0 is the file). */
const WRAPPER = '"$@"; code=$?; printf "%s\\n" "$code" > "$0.tmp" && mv "$0.tmp" "$0"; exit "$code"';

/** How much of the end of the driver log is searched for the failure reason. */
const REASON_SEARCH_BYTES = 256 * 1024;

/** How often a starting session's server port is probed. */
const CONNECT_PROBE_INTERVAL_MS = 500;

/** What each kind of session runs, and the request that proves it serves. */
const SESSION_SERVERS: Record<
  SessionKind,
  { name: string; answers: (host: string, port: number) => Promise<boolean> }
> = {
  connect: { name: 'Spark Connect', answers: sparkConnectAnswers },
  sql: { name: 'the Spark Thrift Server', answers: thriftServerAnswers },
};

const REPOSITORY_EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples');

interface RunningApp {
  paths: LocalAppPaths;
  record: LocalAppRecord;
  child: ChildProcess;
  status: BackendStatus;
  announced: boolean;
  /** The wrapper shell has exited; the final state is being decided. */
  exited: boolean;
  /** Set by kill() or close(): the reason reported with KILLED. */
  killReason?: string;
  /** Where the driver's UI listens, once its log said so. */
  uiTarget?: SparkUiTarget;
  ended: Promise<void>;
}

/** The runtime's environment without its own settings: tokens and database URLs stay out of user code. */
function applicationEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('SPARKPLANE_')));
}

function invalidFile(field: string, path: string): DomainError {
  const message = `${field}: resolves to ${path}, which does not exist on this machine`;
  return new DomainError('VALIDATION_FAILED', message, [{ path: field, message }]);
}

export class LocalSparkBackend implements SparkBackend {
  readonly kind = 'local' as const;
  private readonly dataDir: string;
  private readonly sparkHome: string;
  private readonly javaHome: string | undefined;
  private readonly pythonPath: string | undefined;
  private readonly clusterId: string;
  private readonly examplesDir: string;
  private readonly maxParallelism: number;
  private readonly machine: Resources;
  private readonly maxExecutorMemoryMiB: number;
  private readonly localCluster: boolean;
  private readonly bindAddress: string;
  private readonly killGraceMillis: number;
  private readonly connectReadyMillis: number;
  private readonly killOnClose: boolean;
  private readonly minFreeDiskMiB: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** The applications this process started, until their end is reported: never more than run at once. */
  private readonly running = new Map<string, RunningApp>();
  private readonly reconciling = new Map<string, Promise<BackendStatus>>();
  private readonly listeners: BackendListener[] = [];

  constructor(options: LocalSparkBackendOptions) {
    this.dataDir = resolve(options.dataDir);
    this.sparkHome = options.sparkHome;
    if (!existsSync(join(this.sparkHome, 'bin', 'spark-submit'))) {
      throw new Error(`SPARK_HOME=${this.sparkHome} has no bin/spark-submit: it is not a Spark install`);
    }
    this.javaHome = options.javaHome;
    this.pythonPath = options.pythonPath;
    this.clusterId = options.clusterId ?? 'local';
    this.examplesDir = options.examplesDir ?? REPOSITORY_EXAMPLES;
    this.machine = options.capacity ?? {
      cores: availableParallelism(),
      memoryMiB: Math.floor(totalmem() / 1024 / 1024),
    };
    // an application never asks more cores than the machine lets run at once, or it could never start
    this.maxParallelism =
      options.maxParallelism ?? Math.max(1, Math.min(availableParallelism(), Math.floor(this.machine.cores)));
    this.maxExecutorMemoryMiB = options.maxExecutorMemoryMiB ?? 2048;
    this.localCluster = options.localCluster ?? true;
    this.bindAddress = options.bindAddress ?? '127.0.0.1';
    this.killGraceMillis = (options.killGraceSeconds ?? 10) * 1000;
    this.connectReadyMillis = (options.connectReadySeconds ?? 180) * 1000;
    this.killOnClose = options.killOnClose ?? true;
    this.minFreeDiskMiB = options.minFreeDiskMiB ?? 256;
    this.clock = options.clock ?? { now: () => new Date() };
    this.logger = options.logger ?? silentLogger;
  }

  /** Applications this process started that have not ended yet. */
  get runningCount(): number {
    return this.running.size;
  }

  capacity(): Resources {
    return this.machine;
  }

  demandOf(config: ApplicationConfig): Demand {
    return localDemand(config, {
      maxParallelism: this.maxParallelism,
      maxExecutorMemoryMiB: this.maxExecutorMemoryMiB,
      localCluster: this.localCluster,
    });
  }

  onStatus(listener: BackendListener): void {
    this.listeners.push(listener);
  }

  private emit(appId: string, status: BackendStatus): void {
    for (const listener of this.listeners) listener(appId, status);
  }

  /**
   * A full or read-only data directory would start an application that cannot write its logs.
   * Looked at once a second at most: a burst of submissions shares one look.
   */
  refusal(): Promise<string | undefined> {
    const now = Date.now();
    if (!this.diskLook || now - this.diskLook.at >= 1000) this.diskLook = { at: now, problem: this.lookAtDisk() };
    return this.diskLook.problem;
  }

  private diskLook: { at: number; problem: Promise<string | undefined> } | undefined;

  private async lookAtDisk(): Promise<string | undefined> {
    try {
      mkdirSync(this.dataDir, { recursive: true });
    } catch (error) {
      return `the data directory ${this.dataDir} cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    return diskProblem(this.dataDir, this.minFreeDiskMiB);
  }

  async submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }> {
    const running = this.running.get(app.id)?.record;
    if (running) return { backendRef: `pgid:${running.pgid}` };
    const known = readRecord(localAppPaths(this.dataDir, app.id));
    if (known) {
      // started by an earlier runtime that died before storing what became of it: report it now,
      // after the caller stored the backendRef, or the application would wait in NEW for good
      setImmediate(() => {
        void this.status(app).then(
          (status) => this.emit(app.id, status),
          (error: unknown) =>
            this.logger.warn({ appId: app.id, err: error }, 'could not read what became of an application'),
        );
      });
      return { backendRef: `pgid:${known.pgid}` };
    }

    const paths = localAppPaths(this.dataDir, app.id);
    // an address this machine cannot bind now leaves the port to Spark (4040 or the next free one)
    const uiPort = await freePort(this.bindAddress).catch(() => undefined);
    const sessionKind = app.type === 'session' ? sessionKindOf(config) : undefined;
    const connectPort = sessionKind ? await this.serverPortFor(app, sessionKind) : undefined;
    const command = buildSparkSubmitCommand({
      appId: app.id,
      config,
      sparkHome: this.sparkHome,
      examplesDir: this.examplesDir,
      eventLogDir: paths.eventLogDir,
      maxParallelism: this.maxParallelism,
      maxExecutorMemoryMiB: this.maxExecutorMemoryMiB,
      localCluster: this.localCluster,
      bindAddress: this.bindAddress,
      ...(uiPort !== undefined ? { uiPort } : {}),
      ...(connectPort !== undefined && sessionKind === 'connect' ? { connectPort } : {}),
      ...(connectPort !== undefined && sessionKind === 'sql'
        ? { thriftServer: { port: connectPort, dir: paths.appDir } }
        : {}),
    });
    for (const file of command.localFiles) if (!existsSync(file.path)) throw invalidFile(file.field, file.path);

    for (const dir of [paths.appDir, paths.workDir, paths.eventLogDir]) mkdirSync(dir, { recursive: true });
    const env = applicationEnv(process.env);
    env.SPARK_HOME = this.sparkHome;
    if (this.javaHome) env.JAVA_HOME = this.javaHome;
    if (this.pythonPath) {
      env.PYSPARK_PYTHON = this.pythonPath;
      env.PYSPARK_DRIVER_PYTHON = this.pythonPath;
    }
    Object.assign(env, command.env);

    const log = openSync(paths.driverLog, 'a');
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', WRAPPER, paths.exitCodeFile, command.executable, ...command.args], {
        cwd: paths.workDir,
        env,
        detached: true,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    child.on('error', () => undefined); // a failed spawn has no pid (handled below) or still ends in 'exit'
    const pid = child.pid;
    if (pid === undefined) {
      throw new DomainError('BACKEND_UNAVAILABLE', `could not start spark-submit for application ${app.id}`);
    }
    child.unref();

    const startedAt = this.clock.now().toISOString();
    const record: LocalAppRecord = {
      appId: app.id,
      pid,
      pgid: pid,
      leaderStartTicks: processStartTicks(pid),
      master: command.master,
      command: [command.executable, ...command.args],
      notes: command.notes,
      ...(uiPort !== undefined ? { uiPort } : {}),
      ...(connectPort !== undefined ? { connectPort } : {}),
      startedAt,
    };
    writeRecord(paths, record);
    this.logger.info(
      { clusterId: this.clusterId, appId: app.id, pgid: pid, master: command.master, notes: command.notes },
      'spark-submit started',
    );

    let ended!: () => void;
    const entry: RunningApp = {
      paths,
      record,
      child,
      // a session is RUNNING once Spark Connect answers, not when its process starts
      status: connectPort !== undefined ? { state: 'PENDING' } : { state: 'RUNNING', startedAt },
      announced: false,
      exited: false,
      ended: new Promise<void>((done) => (ended = done)),
    };
    this.running.set(app.id, entry);
    child.on('exit', (code, signal) => {
      entry.exited = true;
      void this.finish(entry, code, signal).finally(ended);
    });
    // after submit() resolves, so the caller has stored the backendRef before hearing RUNNING
    if (connectPort === undefined || !sessionKind) setImmediate(() => this.announce(app.id, entry));
    else void this.awaitServer(app.id, entry, connectPort, sessionKind);
    return { backendRef: `pgid:${pid}` };
  }

  private async serverPortFor(app: Application, kind: SessionKind): Promise<number> {
    try {
      return await freePort(this.bindAddress);
    } catch (error) {
      throw new DomainError(
        'BACKEND_UNAVAILABLE',
        `no free port on ${this.bindAddress} for ${SESSION_SERVERS[kind].name} of session ${app.id}: ${(error as Error).message}`,
      );
    }
  }

  /** Probes the session's server port until it answers (RUNNING), the process ends, or the wait runs out (killed, with why). */
  private async awaitServer(appId: string, entry: RunningApp, port: number, kind: SessionKind): Promise<void> {
    const server = SESSION_SERVERS[kind];
    const deadline = this.clock.now().getTime() + this.connectReadyMillis;
    while (!entry.exited) {
      if (await server.answers(this.bindAddress, port)) {
        if (entry.exited) return;
        entry.status = { state: 'RUNNING', startedAt: entry.record.startedAt };
        this.announce(appId, entry);
        return;
      }
      if (this.clock.now().getTime() > deadline) {
        entry.killReason = `${server.name} did not answer on ${this.bindAddress}:${port} within ${Math.round(this.connectReadyMillis / 1000)} s of the start (see the driver log)`;
        await stopGroup(entry.record.pgid, this.killGraceMillis).catch(() => undefined);
        return;
      }
      await new Promise((wake) => setTimeout(wake, CONNECT_PROBE_INTERVAL_MS));
    }
  }

  async connectEndpoint(app: Application): Promise<ConnectEndpoint | undefined> {
    const entry = this.running.get(app.id);
    if (!entry || entry.exited || entry.status.state !== 'RUNNING' || entry.record.connectPort === undefined) {
      return undefined;
    }
    return { host: this.bindAddress, port: entry.record.connectPort };
  }

  private announce(appId: string, entry: RunningApp): void {
    if (entry.announced) return;
    entry.announced = true;
    this.emit(appId, { state: 'RUNNING', startedAt: entry.record.startedAt });
  }

  /** The wrapper shell exited: clear what is left of the group, decide the final state, report it. */
  private async finish(entry: RunningApp, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const appId = entry.record.appId;
    const fields = { clusterId: this.clusterId, appId, pgid: entry.record.pgid };
    await stopGroup(entry.record.pgid, this.killGraceMillis).catch((error: unknown) =>
      this.logger.warn({ ...fields, err: error }, 'could not stop what was left of the process group'),
    );
    const endedAt = this.clock.now().toISOString();
    let status: BackendStatus;
    if (entry.killReason) status = { state: 'KILLED', reason: entry.killReason };
    else if (code === 0) status = { state: 'COMPLETED' };
    else status = { state: 'FAILED', reason: failureReason({ code, signal }, await this.driverTail(entry.paths)) };
    status = { ...status, startedAt: entry.record.startedAt, endedAt };
    entry.record = { ...entry.record, endedAt, exitCode: code, signal, state: status.state, reason: status.reason };
    entry.status = status;
    try {
      writeRecord(entry.paths, entry.record);
    } catch (error) {
      // the listeners still hear the outcome; a restart reports it unknown
      this.logger.warn({ ...fields, err: error }, 'could not record the end of the application');
    }
    this.logger.debug({ ...fields, exitCode: code, signal, state: status.state }, 'spark-submit exited');
    this.announce(appId, entry);
    this.emit(appId, status);
    // reported: from now on status() and driverLog() read the state file, so nothing is kept per ended run
    this.running.delete(appId);
  }

  private driverTail(paths: LocalAppPaths): Promise<string[]> {
    return tailLines(paths.driverLog, REASON_SEARCH_BYTES);
  }

  async kill(app: Application): Promise<void> {
    const entry = this.running.get(app.id);
    if (entry) {
      if (entry.exited) return entry.ended;
      entry.killReason ??= 'killed on request';
      await stopGroup(entry.record.pgid, this.killGraceMillis);
      await entry.ended;
      return;
    }
    const paths = localAppPaths(this.dataDir, app.id);
    const record = readRecord(paths);
    if (!record || record.state || readExitCode(paths) !== undefined) return;
    if (!isOwnGroupAlive(record.pgid, record.leaderStartTicks)) return;
    await stopGroup(record.pgid, this.killGraceMillis);
    writeRecord(paths, {
      ...record,
      endedAt: this.clock.now().toISOString(),
      state: 'KILLED',
      reason: 'killed on request (after a runtime restart)',
    });
  }

  async status(app: Application): Promise<BackendStatus> {
    const entry = this.running.get(app.id);
    if (entry) return entry.status;
    let pending = this.reconciling.get(app.id);
    if (!pending) {
      pending = this.reconcile(app.id).finally(() => this.reconciling.delete(app.id));
      this.reconciling.set(app.id, pending);
    }
    return pending;
  }

  /** What became of an application this runtime process did not start (see the restart policy above). */
  private async reconcile(appId: string): Promise<BackendStatus> {
    const paths = localAppPaths(this.dataDir, appId);
    const record = readRecord(paths);
    if (!record) {
      return {
        state: 'FAILED',
        reason: `the local back-end has no record of this application: it never started here, or ${paths.appDir} was removed`,
      };
    }
    if (record.state) {
      return { state: record.state, reason: record.reason, startedAt: record.startedAt, endedAt: record.endedAt };
    }
    const exitCode = readExitCode(paths);
    let ended: Pick<LocalAppRecord, 'state' | 'reason' | 'endedAt' | 'exitCode'>;
    if (exitCode !== undefined) {
      // it ended while no runtime was watching; the wrapper kept its exit code
      ended = {
        exitCode,
        endedAt: statSync(paths.exitCodeFile).mtime.toISOString(),
        state: exitCode === 0 ? 'COMPLETED' : 'FAILED',
        reason: exitCode === 0 ? undefined : failureReason({ code: exitCode }, await this.driverTail(paths)),
      };
    } else if (isOwnGroupAlive(record.pgid, record.leaderStartTicks)) {
      this.logger.warn(
        { clusterId: this.clusterId, appId, pgid: record.pgid },
        'stopping an application an earlier runtime left running',
      );
      await stopGroup(record.pgid, this.killGraceMillis);
      ended = {
        endedAt: this.clock.now().toISOString(),
        state: 'FAILED',
        reason: `runtime restarted while the application was running; its process group ${record.pgid} was stopped`,
      };
    } else {
      ended = {
        endedAt: this.clock.now().toISOString(),
        state: 'FAILED',
        reason: 'runtime restarted while the application was running; the process ended without recording an exit code',
      };
    }
    writeRecord(paths, { ...record, ...ended });
    return { state: ended.state!, reason: ended.reason, startedAt: record.startedAt, endedAt: ended.endedAt };
  }

  driverLog(app: Application, options: { follow: boolean; signal?: AbortSignal }): AsyncIterable<string> {
    const paths = localAppPaths(this.dataDir, app.id);
    return readLogLines(paths.driverLog, { ...options, ended: () => this.hasEnded(app.id, paths) });
  }

  private hasEnded(appId: string, paths: LocalAppPaths): boolean {
    const entry = this.running.get(appId);
    if (entry) return isTerminal(entry.status.state);
    const record = readRecord(paths);
    if (!record || record.state || readExitCode(paths) !== undefined) return true;
    return !isOwnGroupAlive(record.pgid, record.leaderStartTicks);
  }

  /**
   * The driver's UI while this process runs the application: at the port its log says the UI
   * started on (Spark moves on when the asked port was taken meanwhile); undefined until then.
   */
  async sparkUiTarget(app: Application): Promise<SparkUiTarget | undefined> {
    const entry = this.running.get(app.id);
    if (!entry || entry.exited) return undefined;
    if (!entry.uiTarget) {
      const port = await sparkUiPortOf(entry.paths.driverLog);
      if (port !== undefined) entry.uiTarget = { url: uiUrl(this.bindAddress, port) };
    }
    return entry.uiTarget;
  }

  eventLogPath(app: Application): string | undefined {
    return findEventLog(localAppPaths(this.dataDir, app.id).eventLogDir);
  }

  async close(): Promise<void> {
    if (this.killOnClose) {
      const live = [...this.running.values()].filter((entry) => !entry.exited);
      await Promise.all(
        live.map(async (entry) => {
          entry.killReason ??= 'runtime shut down';
          await stopGroup(entry.record.pgid, this.killGraceMillis);
          await entry.ended;
        }),
      );
    }
    this.listeners.length = 0;
  }
}
