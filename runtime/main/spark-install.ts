/**
 * Finds the Spark install the local back-end runs, as scripts/setup.sh does, so that
 * `npx sparkplane serve` needs no environment: SPARK_HOME, else the project's .venv pyspark;
 * JAVA_HOME, else the JDK of `java` on PATH; PYSPARK_PYTHON, else the .venv's Python.
 */
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalSparkInstall } from '../adapters/local';

/** This repository's root (it holds .venv). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function venvPyspark(venv: string): string | undefined {
  let pythons: string[];
  try {
    pythons = readdirSync(join(venv, 'lib'));
  } catch {
    return undefined;
  }
  return pythons
    .map((python) => join(venv, 'lib', python, 'site-packages', 'pyspark'))
    .find((candidate) => isExecutable(join(candidate, 'bin', 'spark-submit')));
}

function findSparkHome(env: NodeJS.ProcessEnv, venv: string): string {
  const given = env.SPARK_HOME;
  if (given) {
    if (isExecutable(join(given, 'bin', 'spark-submit'))) return given;
    throw new Error(
      `Spark not found: SPARK_HOME=${given} has no bin/spark-submit: set SPARK_HOME to a Spark install, or unset it to use the project's .venv pyspark (scripts/setup.sh installs it)`,
    );
  }
  const found = venvPyspark(venv);
  if (found) return found;
  throw new Error(
    `Spark not found: SPARK_HOME is not set and there is no ${join(venv, 'lib', 'python*', 'site-packages', 'pyspark', 'bin', 'spark-submit')}: run scripts/setup.sh (installs the pinned pyspark into .venv) or set SPARK_HOME to a Spark install`,
  );
}

/** JAVA_HOME when it holds bin/java, else the JDK whose bin/java the `java` on PATH resolves to (symlinks followed). */
function findJavaHome(env: NodeJS.ProcessEnv): string {
  const given = env.JAVA_HOME;
  if (given && isExecutable(join(given, 'bin', 'java'))) return given;
  const path = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of path) {
    const java = join(dir, 'java');
    if (!isExecutable(java)) continue;
    // /usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/<jdk>/bin/java: the home is two levels up
    return dirname(dirname(realpathSync(java)));
  }
  const javaHome = given ? `JAVA_HOME=${given} has no bin/java` : 'JAVA_HOME is not set';
  throw new Error(
    `Java not found: ${javaHome} and there is no java on PATH (${path.join(delimiter) || 'empty'}): Spark needs Java 17 or newer (apt-get install openjdk-17-jre-headless), or set JAVA_HOME to a JDK`,
  );
}

/**
 * The Spark install, Java and Python of the local back-end. Throws naming what was looked for
 * when Spark or Java is missing. `projectRoot` holds `.venv`. @default this repository
 */
export function findSparkInstall(env: NodeJS.ProcessEnv = process.env, projectRoot = PROJECT_ROOT): LocalSparkInstall {
  const venv = join(projectRoot, '.venv');
  const sparkHome = findSparkHome(env, venv);
  const javaHome = findJavaHome(env);
  const venvPython = join(venv, 'bin', 'python');
  const pythonPath = env.PYSPARK_PYTHON || (isExecutable(venvPython) ? venvPython : undefined);
  return { sparkHome, javaHome, ...(pythonPath ? { pythonPath } : {}) };
}
