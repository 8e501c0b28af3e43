// API errors with stable reasons, carried as meta/v1 Status on the wire.
// Code matches on `reason`, never on message text.

import type { Status, StatusCause, StatusDetails } from './meta.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

const CODES: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};

export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details: StatusDetails | undefined;

  constructor(reason: StatusReason, message: string, details?: StatusDetails, code?: number) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.code = code ?? CODES[reason];
    this.details = details;
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }

  static fromStatus(s: Partial<Status>, httpCode: number): ApiError {
    const reason = (s.reason ?? reasonForCode(httpCode)) as StatusReason;
    return new ApiError(reason, s.message ?? `HTTP ${httpCode}`, s.details, s.code ?? httpCode);
  }
}

export function reasonForCode(code: number): StatusReason {
  for (const [reason, c] of Object.entries(CODES)) if (c === code) return reason as StatusReason;
  return code >= 500 ? 'InternalError' : 'BadRequest';
}

/** `pods "x"` / `deployments.apps "x"`: the form Kubernetes uses in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  notFound: (resource: string, group: string, name: string): ApiError =>
    new ApiError('NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
      name,
      kind: resource,
      ...(group ? { group } : {}),
    }),
  alreadyExists: (resource: string, group: string, name: string): ApiError =>
    new ApiError('AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
      name,
      kind: resource,
      ...(group ? { group } : {}),
    }),
  conflict: (resource: string, group: string, name: string, why?: string): ApiError =>
    new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${
        why ?? 'the object has been modified; please apply your changes to the latest version and try again'
      }`,
      { name, kind: resource, ...(group ? { group } : {}) },
    ),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]): ApiError =>
    new ApiError(
      'Invalid',
      `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${causes
        .map((c) => `${c.field ?? ''}: ${c.message ?? ''}`)
        .join(', ')}`,
      { name, kind, ...(group ? { group } : {}), causes },
    ),
  badRequest: (message: string): ApiError => new ApiError('BadRequest', message),
  expired: (message: string): ApiError => new ApiError('Expired', message),
};

export function isApiError(e: unknown, reason?: StatusReason): e is ApiError {
  return e instanceof ApiError && (reason === undefined || e.reason === reason);
}
