// How failures read on stderr. Server errors keep kubectl's shape so that people (and scripts that grep
// for it) recognise them: `Error from server (NotFound): pods "x" not found`. Everything else is
// `error: <message>`; typing mistakes add a pointer to the command's help. Exit code 1 throughout.

import { ApiError } from '../api/errors.js';
import { UsageError } from './args.js';

/** `Error from server (Reason): [context: ]message`, or `error: message` when the server was never reached. */
export function errorLine(e: unknown, context?: string): string {
  const pre = context ? `${context}: ` : '';
  if (e instanceof ApiError) {
    // The client marks connection failures (no answer at all) with a cause.
    if (e.cause !== undefined) return `error: ${pre}${e.message}`;
    return `Error from server (${e.reason}): ${pre}${e.message}`;
  }
  return `error: ${pre}${e instanceof Error ? e.message : String(e)}`;
}

export function reportError(e: unknown, opts: { command: string; err: (text: string) => void }): number {
  if (e instanceof UsageError) {
    opts.err(`error: ${e.message}\nSee 'mkctl ${opts.command === 'help' ? '' : `${opts.command} `}--help' for usage.\n`);
    return 1;
  }
  opts.err(`${errorLine(e)}\n`);
  return 1;
}
