/**
 * Why a driver failed, in one line from its log: `exit code 1: java.lang.ArithmeticException: / by zero`
 * or `exit code 1: ValueError: bad input`.
 */

/** Longest reason kept: the Ocean API shows it in a list. */
const MAX_REASON_CHARS = 500;

/** A log4j line as Spark writes it: `26/11/24 04:57:36 INFO SparkContext: ...`. */
const LOG4J_LINE = /^\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) /;
/** A JVM exception heading: `java.lang.IllegalStateException: msg`, `org.apache...AnalysisException`. */
const JVM_EXCEPTION = /^(?:Caused by: )?([a-zA-Z_$][\w$]*\.)+[\w$]*(Exception|Error|Throwable)(: .*)?$/;

/** The exception line of the last Python traceback: the first unindented line after its frames. */
function pythonException(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i] !== 'Traceback (most recent call last):') continue;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (line === '' || /^\s/.test(line) || LOG4J_LINE.test(line)) continue;
      // py4j puts the JVM exception on the line after "Py4JJavaError: An error occurred while calling..."
      const next = lines[j + 1];
      if (line.includes('Py4JJavaError') && next?.startsWith(': ')) return next.slice(2);
      return line;
    }
  }
  return undefined;
}

function lastMatch(lines: readonly string[], pick: (line: string, index: number) => string | undefined) {
  for (let i = lines.length - 1; i >= 0; i--) {
    const found = pick(lines[i]!, i);
    if (found) return found;
  }
  return undefined;
}

/** The line of the driver log that best says why it failed, or undefined when none does. */
export function failureLine(lines: readonly string[]): string | undefined {
  return (
    pythonException(lines) ??
    lastMatch(lines, (line) => /^Exception in thread "main" (.+)$/.exec(line)?.[1]) ??
    // spark-submit's own refusals: "Error: Failed to load class Foo."
    lastMatch(lines, (line) => (/^Error: /.test(line) ? line : undefined)) ??
    // an ERROR log line followed by the exception it logged
    lastMatch(lines, (line, i) => {
      const next = lines[i + 1];
      return / ERROR /.test(line) && LOG4J_LINE.test(line) && next && JVM_EXCEPTION.test(next) ? next : undefined;
    }) ??
    lastMatch(lines, (line) => (line.trim() !== '' && !LOG4J_LINE.test(line) ? line.trim() : undefined))
  );
}

/** `exit code N: <line>`, or `killed by SIGNAL: <line>`, trimmed to a readable length. */
export function failureReason(exit: { code: number | null; signal?: string | null }, lines: readonly string[]): string {
  const head = exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal ?? 'a signal'}`;
  const line = failureLine(lines);
  const reason = line ? `${head}: ${line}` : head;
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 3)}...` : reason;
}
