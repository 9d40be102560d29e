import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/support/manual-clock';
import { UiSessions } from './ui-sessions';

describe('UiSessions', () => {
  it('finds a session until its absolute expiry, then forgets it', () => {
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');
    const sessions = new UiSessions(clock, { ttlSeconds: 3600 });
    const opened = sessions.open('hash-a');
    expect(opened.expiresAt.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    clock.advanceSeconds(3599);
    expect(sessions.find(opened.id)?.tokenHash).toBe('hash-a');
    clock.advanceSeconds(1);
    expect(sessions.find(opened.id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it('does not extend a session that is used (the expiry is absolute)', () => {
    const clock = new ManualClock();
    const sessions = new UiSessions(clock, { ttlSeconds: 10 });
    const opened = sessions.open('h');
    for (let i = 0; i < 9; i++) {
      clock.advanceSeconds(1);
      expect(sessions.find(opened.id)).toBeDefined();
    }
    clock.advanceSeconds(1);
    expect(sessions.find(opened.id)).toBeUndefined();
  });

  it('gives each session its own unguessable id, and ends one on close', () => {
    const sessions = new UiSessions(new ManualClock());
    const a = sessions.open('h');
    const b = sessions.open('h');
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.close(a.id)).toBe(true);
    expect(sessions.close(a.id)).toBe(false);
    expect(sessions.find(a.id)).toBeUndefined();
    expect(sessions.find(b.id)).toBeDefined();
    expect(sessions.find('not-an-id')).toBeUndefined();
  });

  it('sweeps expired sessions when opening one, and ends the oldest beyond the limit', () => {
    const clock = new ManualClock();
    const sessions = new UiSessions(clock, { ttlSeconds: 60, maxSessions: 2 });
    const first = sessions.open('1');
    clock.advanceSeconds(30);
    const second = sessions.open('2');
    const third = sessions.open('3');
    expect(sessions.find(first.id)).toBeUndefined();
    expect([sessions.find(second.id)?.tokenHash, sessions.find(third.id)?.tokenHash]).toEqual(['2', '3']);
    clock.advanceSeconds(60);
    sessions.open('4');
    expect(sessions.size).toBe(1);
  });

  it('refuses a time to live that is not positive', () => {
    expect(() => new UiSessions(new ManualClock(), { ttlSeconds: 0 })).toThrow(/ttlSeconds: 0/);
  });
});
