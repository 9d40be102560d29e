/**
 * Live updates of applications: the runtime's stream of changes (server-sent events), read with
 * fetch because EventSource cannot send the Authorization header. When the stream cannot be had
 * (an older runtime, a proxy that buffers) the page polls every 5 s instead.
 */
import { useEffect, useRef, useState } from 'react';
import { request, withQuery } from './api';
import type { Application, ApplicationChange } from './types';

export const POLL_MS = 5000;

export type LiveMode = 'connecting' | 'stream' | 'polling' | 'off';

/** Calls `onEvent` with each complete event of an SSE body: its name and data. */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue; // a comment: heartbeat
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length > 0) onEvent(event, data.join('\n'));
    }
  }
}

export interface LiveOptions {
  /** Only changes of this cluster's / job's applications. */
  clusterId?: string | undefined;
  jobId?: string | undefined;
  /** false: neither stream nor poll (nothing on the page can change). @default true */
  enabled?: boolean;
}

/**
 * Follows application changes while the page is shown: `onChange` for each change the stream
 * sends, or `onPoll` every 5 s once the stream failed. Returns how it follows them.
 */
export function useApplicationChanges(
  options: LiveOptions,
  onChange: (app: Application) => void,
  onPoll: () => void,
): LiveMode {
  const [mode, setMode] = useState<LiveMode>('connecting');
  const handlers = useRef({ onChange, onPoll });
  handlers.current = { onChange, onPoll };
  const enabled = options.enabled ?? true;
  const { clusterId, jobId } = options;

  useEffect(() => {
    if (!enabled) {
      setMode('off');
      return;
    }
    const abort = new AbortController();
    let timer: ReturnType<typeof setInterval> | undefined;
    const poll = () => {
      if (abort.signal.aborted || timer) return;
      setMode('polling');
      timer = setInterval(() => handlers.current.onPoll(), POLL_MS);
    };
    setMode('connecting');
    request(withQuery('/api/v1/applications/events', { clusterId, jobId }), {
      signal: abort.signal,
      headers: { accept: 'text/event-stream' },
    })
      .then(async (response) => {
        if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream'))
          throw new Error('no stream');
        setMode('stream');
        await readEvents(response.body, (event, data) => {
          if (event !== 'application') return;
          handlers.current.onChange((JSON.parse(data) as ApplicationChange).application);
        });
        // the runtime closed the stream (a restart): catch up, then poll
        handlers.current.onPoll();
        poll();
      })
      .catch(() => poll());
    return () => {
      abort.abort();
      if (timer) clearInterval(timer);
    };
  }, [enabled, clusterId, jobId]);
  return mode;
}
