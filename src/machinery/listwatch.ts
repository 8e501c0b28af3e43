// The narrow edge between the informer and the API. The informer depends on this interface only, not on the
// HTTP client, so tests drive it with an in-memory fake (fake-listwatch.ts) and the client adapts to it.

import { ApiError, isApiError, type StatusReason } from '../api/errors.js';
import { isObject, type KubeList, type KubeObject, type WatchEvent } from '../api/meta.js';

export interface ListOptions {
  /** Absent: a consistent read of the latest state. */
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface WatchOptions<T extends KubeObject> {
  /** Deliver changes strictly after this version. */
  resourceVersion: string;
  allowWatchBookmarks: boolean;
  /** Ask the server to end the stream normally after this long. */
  timeoutSeconds?: number;
  signal: AbortSignal;
  /** Called once per event, in order, never after the returned promise settles. */
  onEvent: (e: WatchEvent<T>) => void;
}

export interface ListWatcher<T extends KubeObject> {
  list(opts: ListOptions): Promise<KubeList<T>>;
  /**
   * Resolves when the stream ends normally (server timeout, closed connection, or `signal` aborted).
   * Rejects on error: an ApiError with reason 'Expired' or 'Gone' when `resourceVersion` is too old (HTTP 410),
   * including a 410 ERROR event inside the stream, which implementations surface as a rejection.
   */
  watch(opts: WatchOptions<T>): Promise<void>;
}

/** True for "your resourceVersion is too old, list again" (HTTP 410 Expired/Gone). */
export function isResourceExpired(err: unknown): boolean {
  return isApiError(err) && (err.reason === 'Expired' || err.reason === 'Gone' || err.code === 410);
}

/** Turn the object of a watch ERROR event (a meta/v1 Status, or anything) into an ApiError. */
export function errorFromWatchEvent(object: unknown): ApiError {
  if (!isObject(object)) return new ApiError('InternalError', 'watch ERROR event without a Status object');
  const code = typeof object['code'] === 'number' ? object['code'] : 500;
  const message = typeof object['message'] === 'string' ? object['message'] : `watch error (code ${code})`;
  const reason = typeof object['reason'] === 'string' ? object['reason'] : undefined;
  const status: { reason?: StatusReason; message: string; code: number } = { message, code };
  // The reason is a server-supplied string; keep it only when it is one we know (matching is by reason).
  if (reason !== undefined && isKnownReason(reason)) status.reason = reason;
  else if (code === 410) status.reason = 'Expired';
  return ApiError.fromStatus(status, code);
}

const KNOWN_REASONS: ReadonlySet<string> = new Set<StatusReason>([
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'MethodNotAllowed',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Expired',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'NotAcceptable',
  'Invalid',
  'TooManyRequests',
  'InternalError',
  'ServiceUnavailable',
  'Timeout',
]);

function isKnownReason(s: string): s is StatusReason {
  return KNOWN_REASONS.has(s);
}
