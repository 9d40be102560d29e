import { describe, expect, it } from 'vitest';
import { DomainError } from './errors';
import { APP_STATES, canTransition, isTerminal, TERMINAL_STATES, transition } from './states';

describe('application state machine', () => {
  it('leaves no terminal state', () => {
    for (const from of TERMINAL_STATES) for (const to of APP_STATES) expect(canTransition(from, to)).toBe(false);
  });

  it('reaches every terminal state from RUNNING and RUNNING from NEW and PENDING', () => {
    for (const to of TERMINAL_STATES) expect(canTransition('RUNNING', to)).toBe(true);
    expect(canTransition('NEW', 'RUNNING')).toBe(true);
    expect(canTransition('PENDING', 'RUNNING')).toBe(true);
  });

  it('does not go back', () => {
    expect(canTransition('RUNNING', 'PENDING')).toBe(false);
    expect(canTransition('PENDING', 'NEW')).toBe(false);
  });

  it('succeeds only before a terminal state, never after', () => {
    expect(canTransition('NEW', 'COMPLETED')).toBe(false);
    expect(isTerminal('KILLED')).toBe(true);
    expect(isTerminal('RUNNING')).toBe(false);
  });

  it('throws a typed error for a forbidden transition', () => {
    expect(() => transition('COMPLETED', 'RUNNING')).toThrow(DomainError);
    expect(() => transition('COMPLETED', 'RUNNING')).toThrow('cannot go from COMPLETED to RUNNING');
    expect(transition('NEW', 'PENDING')).toBe('PENDING');
  });
});
