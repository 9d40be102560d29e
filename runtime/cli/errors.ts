/**
 * What the CLI prints for an error and the exit code it ends with: the error catalogue's code of
 * the API's answer (runtime/domain/errors.ts holds the one table of exit codes).
 */
import { ERROR_CATALOGUE, type ErrorCode } from '../domain/errors';
import { ApiError } from './client';

/** The command ran and, when it waited for an application, the application succeeded. */
export const EXIT_OK = 0;
/** The application ended FAILED, KILLED or TIMED_OUT (not an error of the CLI). */
export const EXIT_APP_UNSUCCESSFUL = 1;

/** A mistake on the command line or in a file it names, found before asking the API. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where the demo (scripts/demo.sh) keeps its admin token. */
const DEMO_TOKEN_HINT =
  "no API token: pass --token or set SPARKPLANE_TOKEN (the demo's admin token: export SPARKPLANE_TOKEN=$(cat data/admin-token))";

const isErrorCode = (code: string | undefined): code is ErrorCode => code !== undefined && code in ERROR_CATALOGUE;

/** The catalogue's code for an answer without one (not from sparkplane, e.g. a proxy's 502): the first of its status. */
function codeOfStatus(status: number): ErrorCode {
  const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
  return codes.find((code) => ERROR_CATALOGUE[code].status === status) ?? 'INTERNAL';
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof ApiError) {
    const code = isErrorCode(error.code) ? error.code : codeOfStatus(error.status);
    return ERROR_CATALOGUE[code].exitCode;
  }
  if (error instanceof UsageError) return ERROR_CATALOGUE.VALIDATION_FAILED.exitCode;
  return ERROR_CATALOGUE.INTERNAL.exitCode;
}

/** The lines to print, each starting "error: "; a 401 without a token says how to pass one. */
export function errorLines(error: unknown, options: { tokenSent: boolean }): string[] {
  if (error instanceof ApiError) {
    if (error.code === 'UNAUTHENTICATED' && !options.tokenSent) return [`error: ${DEMO_TOKEN_HINT}`];
    return error.messages.map((message) => `error: ${message}`);
  }
  return [`error: ${error instanceof Error ? error.message : String(error)}`];
}
