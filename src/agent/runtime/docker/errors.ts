// Engine errors → RuntimeError reasons. dockerode rejects with an Error carrying the HTTP status
// (`statusCode`) and the engine's JSON body (`json.message`); socket failures carry `code`.

import { RuntimeError } from '../runtime.js';

type Reason = RuntimeError['reason'];

function field(e: unknown, key: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[key] : undefined;
}

export function statusCode(e: unknown): number | undefined {
  const s = field(e, 'statusCode');
  return typeof s === 'number' ? s : undefined;
}

/** The engine's own message when it sent one, else the error's. */
export function engineMessage(e: unknown): string {
  const body = field(e, 'json');
  const m = field(body, 'message');
  if (typeof m === 'string' && m !== '') return m;
  return e instanceof Error ? e.message : String(e);
}

/** The engine socket is missing or refuses connections: nothing answered. */
export function isUnreachable(e: unknown): boolean {
  const code = field(e, 'code');
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ECONNRESET' || code === 'EPIPE';
}

/**
 * Wraps an engine failure: 404 becomes `notFound` (NotFound unless the caller knows better, e.g.
 * ImageNotFound on create), an unreachable engine Unavailable, anything else `otherwise`.
 */
export function toRuntimeError(e: unknown, what: string, reasons: { otherwise: Reason; notFound?: Reason }): RuntimeError {
  if (e instanceof RuntimeError) return e;
  if (isUnreachable(e)) return new RuntimeError('Unavailable', `${what}: container engine unreachable: ${engineMessage(e)}`);
  const reason = statusCode(e) === 404 ? (reasons.notFound ?? 'NotFound') : reasons.otherwise;
  return new RuntimeError(reason, `${what}: ${engineMessage(e)}`);
}

/** Runs `op`, treating "already gone" (404) and "already in that state" (304) as success. */
export async function tolerateGone(op: () => Promise<unknown>, also: number[] = []): Promise<void> {
  try {
    await op();
  } catch (e) {
    const s = statusCode(e);
    if (s === 404 || s === 304 || (s !== undefined && also.includes(s))) return;
    throw e;
  }
}
