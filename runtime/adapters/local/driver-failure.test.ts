import { describe, expect, it } from 'vitest';
import { failureLine, failureReason } from './driver-failure';

const PYTHON_LOG = `26/11/24 04:57:30 INFO SparkContext: Running Spark version 4.0.1
Traceback (most recent call last):
  File "/data/apps/a/fail.py", line 5, in <module>
    raise ValueError("no input rows for 2026-01-01")
ValueError: no input rows for 2026-01-01
26/11/24 04:57:36 INFO SparkContext: Successfully stopped SparkContext
26/11/24 04:57:37 INFO ShutdownHookManager: Shutdown hook called`.split('\n');

const PY4J_LOG = `Traceback (most recent call last):
  File "/jobs/etl.py", line 9, in <module>
    df.collect()
py4j.protocol.Py4JJavaError: An error occurred while calling o42.collectToPython.
: java.lang.ArithmeticException: / by zero
\tat Job.run(Job.java:3)`.split('\n');

const JAVA_LOG = `26/11/24 05:00:01 INFO SparkContext: Running Spark version 4.0.1
Exception in thread "main" java.lang.ArithmeticException: / by zero
\tat RangeSum.main(RangeSum.java:12)
26/11/24 05:00:02 INFO ShutdownHookManager: Shutdown hook called`.split('\n');

describe('failureLine', () => {
  it('takes the exception line of the last Python traceback, not the log lines after it', () => {
    expect(failureLine(PYTHON_LOG)).toBe('ValueError: no input rows for 2026-01-01');
  });

  it('takes the JVM exception a py4j error carries', () => {
    expect(failureLine(PY4J_LOG)).toBe('java.lang.ArithmeticException: / by zero');
  });

  it('takes the exception of a failed Java main', () => {
    expect(failureLine(JAVA_LOG)).toBe('java.lang.ArithmeticException: / by zero');
  });

  it("takes spark-submit's own refusal", () => {
    expect(failureLine(['Error: Failed to load class com.example.Missing.', '26/11/24 05:00:02 INFO Utils: x'])).toBe(
      'Error: Failed to load class com.example.Missing.',
    );
  });

  it('takes the exception an ERROR line logged', () => {
    const lines = [
      '26/11/24 05:00:01 ERROR SparkContext: Error initializing SparkContext.',
      'java.io.FileNotFoundException: File file:/missing/dir does not exist',
      '\tat org.apache.hadoop.fs.RawLocalFileSystem.deprecatedGetFileStatus(RawLocalFileSystem.java:917)',
      '26/11/24 05:00:02 INFO ShutdownHookManager: Shutdown hook called',
    ];
    expect(failureLine(lines)).toBe('java.io.FileNotFoundException: File file:/missing/dir does not exist');
  });

  it('falls back to the last line that is not a Spark log line', () => {
    expect(failureLine(["python3: can't open file '/x.py': [Errno 2] No such file or directory", ''])).toBe(
      "python3: can't open file '/x.py': [Errno 2] No such file or directory",
    );
    expect(failureLine([])).toBeUndefined();
  });
});

describe('failureReason', () => {
  it('puts the exit code before the line', () => {
    expect(failureReason({ code: 1 }, JAVA_LOG)).toBe('exit code 1: java.lang.ArithmeticException: / by zero');
  });

  it('names the signal when there is no exit code, and keeps only the code when no line explains', () => {
    expect(failureReason({ code: null, signal: 'SIGKILL' }, [])).toBe('killed by SIGKILL');
  });

  it('trims a very long line', () => {
    const reason = failureReason({ code: 1 }, [`Error: ${'x'.repeat(2000)}`]);
    expect(reason).toHaveLength(500);
    expect(reason.endsWith('...')).toBe(true);
  });
});
