/** Runs bench/eventlog/spark-app.py once with local Spark and returns its event log's path. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sparkBinding } from '../../runtime/adapters/local';

const here = dirname(fileURLToPath(import.meta.url));

export function recordRealLog(workDir: string): string {
  const sparkHome = process.env.SPARK_HOME;
  if (sparkHome === undefined || sparkHome === '') {
    throw new Error('SPARK_HOME is not set: `. .sparkplane/env.sh`, or pass --from <event log> to reuse a log');
  }
  const logDir = join(workDir, 'spark-events');
  mkdirSync(logDir, { recursive: true });
  // loopback only, as the local back-end runs Spark
  const binding = sparkBinding('127.0.0.1');
  const run = spawnSync(
    join(sparkHome, 'bin', 'spark-submit'),
    [
      '--master',
      'local[2]',
      '--conf',
      'spark.eventLog.enabled=true',
      '--conf',
      `spark.eventLog.dir=${logDir}`,
      '--conf',
      'spark.sql.shuffle.partitions=48',
      // keep the 48 shuffle partitions as 48 tasks: a log made mostly of TaskEnd lines, like big jobs
      '--conf',
      'spark.sql.adaptive.coalescePartitions.enabled=false',
      '--conf',
      'spark.ui.enabled=false',
      ...Object.entries(binding.conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
      join(here, 'spark-app.py'),
      join(workDir, 'out'),
    ],
    { encoding: 'utf8', env: { ...process.env, ...binding.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (run.status !== 0) throw new Error(`spark-submit failed (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  const [log] = readdirSync(logDir);
  if (log === undefined) throw new Error(`spark-submit wrote no event log in ${logDir}`);
  return join(logDir, log);
}
