/**
 * What the local back-end keeps of each application under the runtime's data directory:
 *
 *   <dataDir>/apps/<appId>/driver.log      stdout and stderr of spark-submit
 *   <dataDir>/apps/<appId>/state.json      pid, process group, start/end, exit code, final state
 *   <dataDir>/apps/<appId>/exit-code       written by the wrapper shell when spark-submit exits,
 *                                          even if the runtime is not running at that moment
 *   <dataDir>/apps/<appId>/work/           the driver's working directory (spark-warehouse, outputs)
 *   <dataDir>/eventlogs/<appId>/           the application's Spark event log, alone in its directory
 *
 * One event log directory per application is how the runtime knows which log is whose: Spark names
 * the log after its own application id, which cannot be set.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppState } from '../../domain/states';

export interface LocalAppPaths {
  appDir: string;
  driverLog: string;
  stateFile: string;
  exitCodeFile: string;
  workDir: string;
  eventLogDir: string;
}

export function localAppPaths(dataDir: string, appId: string): LocalAppPaths {
  const appDir = join(dataDir, 'apps', appId);
  return {
    appDir,
    driverLog: join(appDir, 'driver.log'),
    stateFile: join(appDir, 'state.json'),
    exitCodeFile: join(appDir, 'exit-code'),
    workDir: join(appDir, 'work'),
    eventLogDir: join(dataDir, 'eventlogs', appId),
  };
}

/** The state file: enough for a restarted runtime to tell what became of the process. */
export interface LocalAppRecord {
  appId: string;
  /** Pid of the wrapper shell, leader of the application's process group (pgid = pid). */
  pid: number;
  pgid: number;
  /** Start time of the leader in clock ticks since boot (/proc/<pid>/stat), to detect a reused pid. */
  leaderStartTicks?: number;
  master: string;
  command: string[];
  notes: string[];
  /** The port asked for the driver's Spark UI (spark.ui.port); its log says the one it got. */
  uiPort?: number;
  /** A session's server port on the bind address: Spark Connect's, or the Thrift Server's for a sql session. */
  connectPort?: number;
  startedAt: string;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** Set once the application has ended. */
  state?: AppState;
  reason?: string;
}

export function readRecord(paths: LocalAppPaths): LocalAppRecord | undefined {
  if (!existsSync(paths.stateFile)) return undefined;
  return JSON.parse(readFileSync(paths.stateFile, 'utf8')) as LocalAppRecord;
}

/** Replaces the state file atomically, so a crash never leaves half a file. */
export function writeRecord(paths: LocalAppPaths, record: LocalAppRecord): void {
  const tmp = `${paths.stateFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, paths.stateFile);
}

/** The exit code the wrapper shell recorded, or undefined when spark-submit has not exited normally. */
export function readExitCode(paths: LocalAppPaths): number | undefined {
  if (!existsSync(paths.exitCodeFile)) return undefined;
  const code = Number.parseInt(readFileSync(paths.exitCodeFile, 'utf8').trim(), 10);
  return Number.isNaN(code) ? undefined : code;
}

/**
 * The event log Spark wrote in the application's directory: the rolling `eventlog_v2_<sparkAppId>`
 * directory (Spark 4's default) or a single `<sparkAppId>[.inprogress]` file.
 */
export function findEventLog(eventLogDir: string): string | undefined {
  if (!existsSync(eventLogDir)) return undefined;
  const entries = readdirSync(eventLogDir).filter((name) => !name.startsWith('.'));
  const rolling = entries.find((name) => name.startsWith('eventlog_v2_'));
  const chosen = rolling ?? entries.sort().find((name) => !name.endsWith('.crc'));
  return chosen ? join(eventLogDir, chosen) : undefined;
}
