/**
 * The spark-submit command line of one application on this machine: a pure function of its effective
 * config, so every decision (master, caps, event log location) is visible and unit-tested.
 */
import { join } from 'node:path';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import { parseMemoryMiB, toSparkMemory } from '../../domain/quantity';
import { sparkUiConf } from '../../domain/spark-ui';
import { type FileRoots, resolveAppFile } from './app-file';
import { hiveConfArguments, hiveServerConf, THRIFT_SERVER_CLASS } from '../thrift/thrift-server';

export interface SparkSubmitInput extends FileRoots {
  appId: string;
  config: ApplicationConfig;
  /** The directory this application's event log goes to (created before the run). */
  eventLogDir: string;
  /** Most cores the application may use on this machine (local[N] and local-cluster alike). */
  maxParallelism: number;
  /** Largest executor memory granted in local-cluster mode, in MiB. */
  maxExecutorMemoryMiB: number;
  /** Run several executors as local-cluster[...] JVMs; when false, local[N] instead. */
  localCluster: boolean;
  /** The address Spark binds to and advertises (see sparkBinding). */
  bindAddress: string;
  /** The port of the driver's Spark UI (spark.ui.port), free when chosen. @default Spark's (4040, or the next free one) */
  uiPort?: number;
  /**
   * Run a Spark Connect server (an interactive session) listening on this port of bindAddress,
   * instead of the config's main file. @default absent: run mainApplicationFile
   */
  connectPort?: number;
  /**
   * Run a Spark Thrift Server (a sql session) listening on this port of bindAddress, with its Derby
   * metastore and warehouse under dir, instead of the config's main file. @default absent
   */
  thriftServer?: { port: number; dir: string };
}

export interface SparkSubmitCommand {
  /** `<sparkHome>/bin/spark-submit`. */
  executable: string;
  args: string[];
  master: string;
  /** Environment of spark-submit: SPARK_LOCAL_IP, then config.driver.envVars (which win). */
  env: Record<string, string>;
  /** Files on this machine the command names, to check before the run. */
  localFiles: { field: string; path: string }[];
  /** Why the command differs from what the config asked (caps, fallbacks, ignored settings). */
  notes: string[];
}

/** Spark's own default executor memory, used when the config names none. */
const DEFAULT_EXECUTOR_MEMORY_MIB = 1024;

/**
 * Settings the local back-end always sets: the runtime reads every run's event log. Uncompressed,
 * because Spark 4 compresses with zstd by default and Node 20's zlib cannot read zstd.
 */
const METRICS_POLLING = 'spark.executor.metrics.pollingInterval';
/** RSS of the executor's process tree, the Python workers' apart (Linux /proc): what the tuner reads of PySpark memory. */
const PROCESS_TREE_METRICS = 'spark.executor.processTreeMetrics.enabled';

function eventLogConf(eventLogDir: string): Record<string, string> {
  return {
    'spark.eventLog.enabled': 'true',
    'spark.eventLog.dir': eventLogDir,
    'spark.eventLog.logStageExecutorMetrics': 'true',
    'spark.eventLog.compress': 'false',
  };
}

/**
 * Where a Spark process on this machine listens: SPARK_LOCAL_IP (the UI, the block managers, the
 * workers of local-cluster, a History Server) and the driver's RPC address. Without it Spark picks
 * the address of the first non-loopback interface, which a machine may not allow.
 */
export function sparkBinding(bindAddress: string): { env: Record<string, string>; conf: Record<string, string> } {
  return {
    env: { SPARK_LOCAL_IP: bindAddress },
    conf: { 'spark.driver.host': bindAddress, 'spark.driver.bindAddress': bindAddress },
  };
}

function memory(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const mib = parseMemoryMiB(value);
  if (mib === undefined) {
    const message = `${field}: ${JSON.stringify(value)} is not a memory quantity such as "8g" or "8192m"`;
    throw new DomainError('VALIDATION_FAILED', message, [{ path: field, message }]);
  }
  return mib;
}

/** local-cluster[instances,cores,memoryMiB] when several executors are asked for and fit, else local[N]. */
export function chooseMaster(
  config: ApplicationConfig,
  limits: Pick<SparkSubmitInput, 'maxParallelism' | 'maxExecutorMemoryMiB' | 'localCluster'>,
): { master: string; executorMemoryMiB?: number; executorCores?: number; notes: string[] } {
  const notes: string[] = [];
  const maxCores = Math.max(1, Math.floor(limits.maxParallelism));
  const executor = config.executor ?? {};
  const instances = executor.instances;
  const askedCores = executor.cores ?? 1;

  if (instances !== undefined && instances >= 2) {
    if (!limits.localCluster) {
      notes.push(`${instances} executors asked; local-cluster is disabled, so they run as threads of local[N]`);
    } else {
      const cores = Math.min(askedCores, maxCores);
      const fitting = Math.min(instances, Math.floor(maxCores / cores));
      if (fitting >= 2) {
        const asked = memory(executor.memory, 'executor.memory') ?? DEFAULT_EXECUTOR_MEMORY_MIB;
        const memoryMiB = Math.min(asked, limits.maxExecutorMemoryMiB);
        if (fitting < instances || cores < askedCores) {
          notes.push(
            `${instances} executors x ${askedCores} cores capped to ${fitting} x ${cores} (max parallelism ${maxCores})`,
          );
        }
        if (memoryMiB < asked) notes.push(`executor memory ${asked} MiB capped to ${memoryMiB} MiB`);
        return {
          master: `local-cluster[${fitting},${cores},${memoryMiB}]`,
          executorMemoryMiB: memoryMiB,
          executorCores: cores,
          notes,
        };
      }
      notes.push(
        `${instances} executors x ${askedCores} cores do not fit ${maxCores} cores as two executors or more; running local[N]`,
      );
    }
  }

  const wanted =
    instances !== undefined && instances >= 1
      ? askedCores * instances
      : (config.driver?.cores ?? (executor.cores !== undefined ? executor.cores : maxCores));
  const threads = Math.max(1, Math.min(wanted, maxCores));
  if (threads < wanted) notes.push(`${wanted} cores capped to ${threads} (max parallelism ${maxCores})`);
  return { master: `local[${threads}]`, notes };
}

function applicationType(config: ApplicationConfig, mainFile: string): 'Java' | 'Scala' | 'Python' {
  if (config.type) return config.type;
  return /\.py$/i.test(mainFile) ? 'Python' : 'Java';
}

/** The server of a session, on the classpath of every Spark 4 install (jars/spark-connect_*.jar). */
export const SPARK_CONNECT_SERVER_CLASS = 'org.apache.spark.sql.connect.service.SparkConnectServer';
/** spark-submit's primary resource for a class already on its classpath (SparkLauncher.NO_RESOURCE). */
const NO_RESOURCE = 'spark-internal';

export function buildSparkSubmitCommand(input: SparkSubmitInput): SparkSubmitCommand {
  if (input.thriftServer !== undefined) return thriftServerCommand(input, input.thriftServer);
  if (input.connectPort !== undefined) return connectServerCommand(input, input.connectPort);
  const { config } = input;
  const localFiles: SparkSubmitCommand['localFiles'] = [];
  const resolveFile = (value: string, field: string): string => {
    const resolved = resolveAppFile(value, input, field);
    if (resolved.localPath) localFiles.push({ field, path: resolved.localPath });
    return resolved.location;
  };

  if (!config.mainApplicationFile) {
    const message = 'mainApplicationFile: is required: expected the .py file or the jar to run';
    throw new DomainError('VALIDATION_FAILED', message, [{ path: 'mainApplicationFile', message }]);
  }
  const mainFile = resolveFile(config.mainApplicationFile, 'mainApplicationFile');
  const type = applicationType(config, config.mainApplicationFile);
  if (type !== 'Python' && !config.mainClass && !/\.jar$/i.test(mainFile)) {
    const message = `mainClass: is required for a ${type} application whose main file is not a jar`;
    throw new DomainError('VALIDATION_FAILED', message, [{ path: 'mainClass', message }]);
  }

  const mainClass = type !== 'Python' ? config.mainClass : undefined;
  return commandOf(input, localFiles, resolveFile, mainClass, [mainFile, ...(config.arguments ?? [])]);
}

/** A session: spark-submit of the Spark Connect server, bound to the back-end's address and the chosen port. */
function connectServerCommand(input: SparkSubmitInput, port: number): SparkSubmitCommand {
  return serverCommand(input, SPARK_CONNECT_SERVER_CLASS, 'the Spark Connect server', {
    'spark.connect.grpc.binding.address': input.bindAddress,
    'spark.connect.grpc.binding.port': String(port),
  });
}

/**
 * A sql session: spark-submit of the Spark Thrift Server, binary transport without SASL on the
 * back-end's address and the chosen port (only the runtime's relays reach it). The metastore (Derby)
 * and the warehouse live in the application's directory: what one session creates is its own, and
 * nothing lands in the runtime's working directory (derby.log goes to the driver's, work/).
 */
function thriftServerCommand(input: SparkSubmitInput, server: { port: number; dir: string }): SparkSubmitCommand {
  const command = serverCommand(input, THRIFT_SERVER_CLASS, 'the Spark Thrift Server', {
    'spark.sql.catalogImplementation': 'hive',
    'spark.sql.warehouse.dir': join(server.dir, 'warehouse'),
    'spark.hadoop.javax.jdo.option.ConnectionURL': `jdbc:derby:;databaseName=${join(server.dir, 'metastore_db')};create=true`,
  });
  command.args.push(...hiveConfArguments(hiveServerConf(input.bindAddress, server.port)));
  return command;
}

/** A server class on spark-submit's classpath, with its own settings over the config's. */
function serverCommand(
  input: SparkSubmitInput,
  serverClass: string,
  what: string,
  serverConf: Record<string, string>,
): SparkSubmitCommand {
  const localFiles: SparkSubmitCommand['localFiles'] = [];
  const resolveFile = (value: string, field: string): string => {
    const resolved = resolveAppFile(value, input, field);
    if (resolved.localPath) localFiles.push({ field, path: resolved.localPath });
    return resolved.location;
  };
  const command = commandOf(input, localFiles, resolveFile, serverClass, [NO_RESOURCE]);
  const at = command.args.indexOf(NO_RESOURCE);
  for (const [key, value] of Object.entries(serverConf)) {
    const asked = input.config.sparkConf?.[key];
    if (asked !== undefined && asked !== value) command.notes.push(`sparkConf ${key}=${asked} replaced by ${value}`);
  }
  command.args.splice(at, 0, ...Object.entries(serverConf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]));
  if (input.config.mainApplicationFile !== undefined) {
    command.notes.push(`mainApplicationFile ${input.config.mainApplicationFile} ignored: a session runs ${what}`);
  }
  return command;
}

function commandOf(
  input: SparkSubmitInput,
  localFiles: SparkSubmitCommand['localFiles'],
  resolveFile: (value: string, field: string) => string,
  mainClass: string | undefined,
  tail: string[],
): SparkSubmitCommand {
  const { config } = input;
  const { master, executorMemoryMiB, executorCores, notes } = chooseMaster(config, input);
  const args: string[] = ['--master', master, '--deploy-mode', 'client'];
  if (mainClass) args.push('--class', mainClass);

  const driver = config.driver ?? {};
  const executor = config.executor ?? {};
  const driverMemoryMiB = memory(driver.memory, 'driver.memory');
  if (driverMemoryMiB !== undefined) args.push('--driver-memory', toSparkMemory(driverMemoryMiB));
  if (driver.cores !== undefined) args.push('--driver-cores', String(driver.cores));
  if (driver.javaOptions) args.push('--driver-java-options', driver.javaOptions);
  const finalExecutorMemoryMiB = executorMemoryMiB ?? memory(executor.memory, 'executor.memory');
  const finalExecutorCores = executorCores ?? executor.cores;

  const deps = config.deps ?? {};
  const list = (values: string[] | undefined, field: string): string | undefined =>
    values && values.length > 0 ? values.map((v, i) => resolveFile(v, `deps.${field}[${i}]`)).join(',') : undefined;
  const depFlags: [string, string | undefined][] = [
    ['--jars', list(deps.jars, 'jars')],
    ['--py-files', list(deps.pyFiles, 'pyFiles')],
    ['--files', list(deps.files, 'files')],
    ['--packages', deps.packages?.join(',')],
    ['--repositories', deps.repositories?.join(',')],
    ['--exclude-packages', deps.excludePackages?.join(',')],
  ];
  for (const [flag, value] of depFlags) if (value) args.push(flag, value);

  // lowest to highest: defaults, the user's sparkConf, hadoopConf, structured fields, the event log (always ours)
  const binding = sparkBinding(input.bindAddress);
  const conf = new Map<string, string>([['spark.app.name', input.appId], ...Object.entries(binding.conf)]);
  for (const [key, value] of Object.entries(config.sparkConf ?? {})) conf.set(key, value);
  for (const [key, value] of Object.entries(config.hadoopConf ?? {})) conf.set(`spark.hadoop.${key}`, value);
  // as settings, not --executor-memory/--executor-cores: spark-submit drops those flags for local masters,
  // and local-cluster refuses executors larger than its workers
  if (finalExecutorMemoryMiB !== undefined) conf.set('spark.executor.memory', toSparkMemory(finalExecutorMemoryMiB));
  if (finalExecutorCores !== undefined) conf.set('spark.executor.cores', String(finalExecutorCores));
  if (executor.javaOptions) conf.set('spark.executor.extraJavaOptions', executor.javaOptions);
  for (const [key, value] of Object.entries(executor.envVars ?? {})) conf.set(`spark.executorEnv.${key}`, value);
  const driverOverhead = memory(driver.memoryOverhead, 'driver.memoryOverhead');
  if (driverOverhead !== undefined) conf.set('spark.driver.memoryOverhead', toSparkMemory(driverOverhead));
  const executorOverhead = memory(executor.memoryOverhead, 'executor.memoryOverhead');
  if (executorOverhead !== undefined) conf.set('spark.executor.memoryOverhead', toSparkMemory(executorOverhead));
  if (config.memoryOverheadFactor !== undefined) {
    conf.set('spark.driver.memoryOverheadFactor', String(config.memoryOverheadFactor));
    conf.set('spark.executor.memoryOverheadFactor', String(config.memoryOverheadFactor));
  }
  // the runtime's proxy serves the UI: its path, its port, and no kill links (ours, over the application's)
  const ui = {
    ...sparkUiConf(input.appId),
    ...(input.uiPort !== undefined ? { 'spark.ui.port': String(input.uiPort) } : {}),
  };
  for (const [key, value] of Object.entries({ ...ui, ...eventLogConf(input.eventLogDir) })) {
    const asked = config.sparkConf?.[key];
    if (asked !== undefined && asked !== value) notes.push(`sparkConf ${key}=${asked} replaced by ${value}`);
    conf.set(key, value);
  }
  // sampled every second rather than at heartbeats (10 s), so that short runs have memory peaks too
  if (!conf.has(METRICS_POLLING)) conf.set(METRICS_POLLING, '1s');
  if (!conf.has(PROCESS_TREE_METRICS)) conf.set(PROCESS_TREE_METRICS, 'true');
  for (const [key, value] of conf) args.push('--conf', `${key}=${value}`);

  args.push(...tail);
  return {
    executable: join(input.sparkHome, 'bin', 'spark-submit'),
    args,
    master,
    env: { ...binding.env, ...(driver.envVars ?? {}) },
    localFiles,
    notes,
  };
}
