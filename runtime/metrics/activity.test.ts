import { describe, expect, it } from 'vitest';
import { sampleActivity } from './activity';

describe('sampleActivity', () => {
  it('counts an application pending until it starts and running, with its cores, until it ends', () => {
    const from = '2026-01-01T00:00:00.000Z';
    const to = '2026-01-01T04:00:00.000Z';
    const samples = sampleActivity(
      [
        // created at 00:30, started 01:30, ended 02:30
        {
          state: 'COMPLETED',
          createdAt: '2026-01-01T00:30:00.000Z',
          startedAt: '2026-01-01T01:30:00.000Z',
          endedAt: '2026-01-01T02:30:00.000Z',
          requestedCores: 5,
        },
        // still running since before the window
        { state: 'RUNNING', createdAt: '2025-12-31T00:00:00.000Z', startedAt: from, requestedCores: 3 },
        // ended without starting at 01:00 (killed while pending)
        {
          state: 'KILLED',
          createdAt: '2026-01-01T00:10:00.000Z',
          endedAt: '2026-01-01T01:00:00.000Z',
          requestedCores: 9,
        },
      ],
      from,
      to,
      4,
    );
    expect(samples).toEqual([
      { at: '2026-01-01T01:00:00.000Z', running: 1, pending: 1, cores: 3 },
      { at: '2026-01-01T02:00:00.000Z', running: 2, pending: 0, cores: 8 },
      { at: '2026-01-01T03:00:00.000Z', running: 1, pending: 0, cores: 3 },
      { at: '2026-01-01T04:00:00.000Z', running: 1, pending: 0, cores: 3 },
    ]);
  });
});
