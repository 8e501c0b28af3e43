// A patch that cannot be applied. It is an ApiError, so the HTTP layer turns it into a Status without a
// special case. Reasons follow the real API server: a malformed patch document is BadRequest (400); a
// well-formed patch that does not fit the object (missing path, failed `test`) is Invalid (422).

import { ApiError } from '../../api/errors.js';

export type PatchErrorReason = 'BadRequest' | 'Invalid';

export class PatchError extends ApiError {
  constructor(message: string, reason: PatchErrorReason = 'Invalid') {
    super(reason, message);
    this.name = 'PatchError';
  }
}

/** For the malformed-document case, which reads better at call sites than a second argument. */
export function badPatch(message: string): PatchError {
  return new PatchError(message, 'BadRequest');
}
