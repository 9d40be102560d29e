/** The lifecycle of an application: NEW/PENDING -> RUNNING -> one terminal state. */
import { z } from 'zod';
import { DomainError } from './errors';

export const APP_STATES = [
  'NEW',
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'COMPLETED_WITH_WARNINGS',
  'FAILED',
  'KILLED',
  'TIMED_OUT',
] as const;

export const AppState = z.enum(APP_STATES);
export type AppState = z.infer<typeof AppState>;

export const TERMINAL_STATES: ReadonlySet<AppState> = new Set([
  'COMPLETED',
  'COMPLETED_WITH_WARNINGS',
  'FAILED',
  'KILLED',
  'TIMED_OUT',
]);

/** The states of an application that has not ended (an owner acts on it). */
export const ACTIVE_STATES: AppState[] = ['NEW', 'PENDING', 'RUNNING'];

export const SUCCESSFUL_STATES: ReadonlySet<AppState> = new Set(['COMPLETED', 'COMPLETED_WITH_WARNINGS']);

const NEXT: Record<AppState, readonly AppState[]> = {
  NEW: ['PENDING', 'RUNNING', 'FAILED', 'KILLED', 'TIMED_OUT'],
  PENDING: ['RUNNING', 'FAILED', 'KILLED', 'TIMED_OUT'],
  RUNNING: ['COMPLETED', 'COMPLETED_WITH_WARNINGS', 'FAILED', 'KILLED', 'TIMED_OUT'],
  COMPLETED: [],
  COMPLETED_WITH_WARNINGS: [],
  FAILED: [],
  KILLED: [],
  TIMED_OUT: [],
};

export function isTerminal(state: AppState): boolean {
  return TERMINAL_STATES.has(state);
}

export function canTransition(from: AppState, to: AppState): boolean {
  return NEXT[from].includes(to);
}

/** Returns `to` when the transition is allowed, otherwise throws INVALID_STATE_TRANSITION. */
export function transition(from: AppState, to: AppState): AppState {
  if (!canTransition(from, to)) {
    throw new DomainError('INVALID_STATE_TRANSITION', `application cannot go from ${from} to ${to}`);
  }
  return to;
}
