import { describe, expect, it } from 'vitest';
import { Application } from './application';

const base = {
  id: 'a-1',
  clusterId: 'local',
  state: 'NEW',
  submissionSource: 'api',
  configOverrides: {},
  config: {},
  provenance: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('Application jobId by type', () => {
  it('requires a jobId for a batch run, also when the type is absent (read as batch)', () => {
    for (const type of [{ type: 'batch' }, {}]) {
      const result = Application.safeParse({ ...base, ...type });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]).toMatchObject({
        path: ['jobId'],
        message: expect.stringMatching(/needs a jobId/),
      });
      expect(Application.safeParse({ ...base, ...type, jobId: 'nightly' }).success).toBe(true);
    }
  });

  it('refuses a jobId on a session or a notebook, naming the value', () => {
    for (const type of ['session', 'notebook'] as const) {
      expect(Application.safeParse({ ...base, type }).success).toBe(true);
      const result = Application.safeParse({ ...base, type, jobId: 'nightly' });
      expect(result.error?.issues[0]?.message).toBe(
        `an application of type ${type} belongs to no job: expected no jobId, got "nightly"`,
      );
    }
  });
});
