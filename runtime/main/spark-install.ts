/** Finds the Spark install the local back-end runs: SPARK_HOME, else the project's .venv pyspark. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SparkInstall {
  sparkHome: string;
  javaHome?: string;
  /** The Python that runs PySpark drivers and workers. */
  pythonPath?: string;
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function findSparkInstall(env: NodeJS.ProcessEnv = process.env): SparkInstall {
  const venv = join(projectRoot, '.venv');
  let sparkHome = env.SPARK_HOME;
  if (!sparkHome && existsSync(join(venv, 'lib'))) {
    for (const python of readdirSync(join(venv, 'lib'))) {
      const candidate = join(venv, 'lib', python, 'site-packages', 'pyspark');
      if (existsSync(join(candidate, 'bin', 'spark-submit'))) sparkHome = candidate;
    }
  }
  if (!sparkHome || !existsSync(join(sparkHome, 'bin', 'spark-submit'))) {
    throw new Error(
      `Spark not found${sparkHome ? ` at SPARK_HOME=${sparkHome}` : ''}: run scripts/setup.sh (installs the pinned pyspark into .venv) or set SPARK_HOME to a Spark install`,
    );
  }
  const venvPython = join(venv, 'bin', 'python');
  return {
    sparkHome,
    javaHome: env.JAVA_HOME,
    pythonPath: env.PYSPARK_PYTHON ?? (existsSync(venvPython) ? venvPython : undefined),
  };
}
