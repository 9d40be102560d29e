import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSparkInstall } from './spark-install';

let root: string;

function executable(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

/** A project with pyspark in .venv, and a JDK reached from PATH through two symlinks, as Debian's alternatives do. */
function fakeMachine(): { project: string; pyspark: string; jdk: string; path: string } {
  const project = join(root, 'project');
  const pyspark = join(project, '.venv', 'lib', 'python3.11', 'site-packages', 'pyspark');
  executable(join(pyspark, 'bin', 'spark-submit'));
  executable(join(project, '.venv', 'bin', 'python'));
  const jdk = join(root, 'usr', 'lib', 'jvm', 'java-17');
  executable(join(jdk, 'bin', 'java'));
  mkdirSync(join(root, 'etc', 'alternatives'), { recursive: true });
  symlinkSync(join(jdk, 'bin', 'java'), join(root, 'etc', 'alternatives', 'java'));
  const bin = join(root, 'usr', 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(join(root, 'etc', 'alternatives', 'java'), join(bin, 'java'));
  return { project, pyspark, jdk, path: [join(root, 'empty'), bin].join(':') };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sparkplane-spark-install-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('findSparkInstall', () => {
  it("finds the .venv pyspark, the JDK of java on PATH and the .venv's Python without any environment", () => {
    const machine = fakeMachine();
    expect(findSparkInstall({ PATH: machine.path }, machine.project)).toEqual({
      sparkHome: machine.pyspark,
      javaHome: machine.jdk,
      pythonPath: join(machine.project, '.venv', 'bin', 'python'),
    });
  });

  it('takes SPARK_HOME, JAVA_HOME and PYSPARK_PYTHON from the environment when they are set', () => {
    const machine = fakeMachine();
    const spark = join(root, 'opt', 'spark');
    executable(join(spark, 'bin', 'spark-submit'));
    const jdk = join(root, 'opt', 'jdk-21');
    executable(join(jdk, 'bin', 'java'));
    const env = { PATH: machine.path, SPARK_HOME: spark, JAVA_HOME: jdk, PYSPARK_PYTHON: '/usr/bin/python3' };
    expect(findSparkInstall(env, machine.project)).toEqual({
      sparkHome: spark,
      javaHome: jdk,
      pythonPath: '/usr/bin/python3',
    });
  });

  it('falls back to java on PATH when JAVA_HOME holds no bin/java, as the set-up does', () => {
    const machine = fakeMachine();
    const env = { PATH: machine.path, JAVA_HOME: join(root, 'nowhere') };
    expect(findSparkInstall(env, machine.project).javaHome).toBe(machine.jdk);
  });

  it('leaves the Python to Spark when there is no .venv Python and no PYSPARK_PYTHON', () => {
    const machine = fakeMachine();
    const spark = executable(join(root, 'opt', 'spark', 'bin', 'spark-submit'));
    const install = findSparkInstall({ PATH: machine.path, SPARK_HOME: dirname(dirname(spark)) }, join(root, 'bare'));
    expect(install).not.toHaveProperty('pythonPath');
  });

  it('names what it looked for when Spark is missing', () => {
    const machine = fakeMachine();
    const bare = join(root, 'bare');
    expect(() => findSparkInstall({ PATH: machine.path }, bare)).toThrow(
      `Spark not found: SPARK_HOME is not set and there is no ${bare}/.venv/lib/python*/site-packages/pyspark/bin/spark-submit: run scripts/setup.sh`,
    );
    expect(() => findSparkInstall({ PATH: machine.path, SPARK_HOME: '/opt/none' }, bare)).toThrow(
      'Spark not found: SPARK_HOME=/opt/none has no bin/spark-submit',
    );
  });

  it('names what it looked for when Java is missing', () => {
    const machine = fakeMachine();
    const path = join(root, 'empty');
    expect(() => findSparkInstall({ PATH: path }, machine.project)).toThrow(
      `Java not found: JAVA_HOME is not set and there is no java on PATH (${path}): Spark needs Java 17 or newer`,
    );
    expect(() => findSparkInstall({ PATH: path, JAVA_HOME: '/opt/none' }, machine.project)).toThrow(
      'Java not found: JAVA_HOME=/opt/none has no bin/java and there is no java on PATH',
    );
  });
});
