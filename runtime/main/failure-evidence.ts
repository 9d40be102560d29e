/**
 * An ended application's event log as evidence of why it failed. Only the lines the failure's
 * classification reads (failed tasks, removed executors: failure-cause.ts) are kept while the log
 * is streamed, so a large log is never held whole; a log damaged part way gives the lines before.
 */
import { EventLogDecodeError } from '../adapters/eventlog/byte-reader';
import type { EventLogLocation } from '../adapters/eventlog/event-log-files';
import { readEventLogLines } from '../adapters/eventlog/read-event-log';
import { isFailureEvidence } from '../apps/failure-cause';
import type { EventLogLines } from '../apps/retries';

/** Enough to name a cause; a log that lost thousands of tasks says no more in its later lines. */
const MAX_EVIDENCE_LINES = 1000;

/** @param locate the files of a log (the event-log reader's), undefined when there is none */
export function failureEvidenceLines(locate: (path: string) => Promise<EventLogLocation | undefined>): EventLogLines {
  return async (path) => {
    const location = await locate(path);
    const kept: string[] = [];
    if (location === undefined) return kept;
    try {
      for await (const batch of readEventLogLines(location)) {
        for (const line of batch) {
          if (!isFailureEvidence(line)) continue;
          kept.push(line);
          if (kept.length === MAX_EVIDENCE_LINES) return kept;
        }
      }
    } catch (error) {
      if (!(error instanceof EventLogDecodeError)) throw error;
    }
    return kept;
  };
}
