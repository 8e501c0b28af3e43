// Field selectors: every kind supports metadata.name and metadata.namespace; kinds list
// their extra fields in the scheme. An unsupported field is a 400, as upstream.

import type { KubeObject } from '../api/meta.js';
import type { ResourceType } from '../api/scheme.js';
import { ApiError } from '../api/errors.js';
import type { FieldRequirement } from '../api/selector.js';

export function checkFields(rt: ResourceType, reqs: readonly FieldRequirement[]): void {
  for (const r of reqs) {
    if (r.field === 'metadata.name' || r.field === 'metadata.namespace') continue;
    if (!rt.fields?.[r.field]) {
      throw new ApiError('BadRequest', `field label not supported: ${r.field}`);
    }
  }
}

export function fieldGetter(rt: ResourceType, obj: KubeObject): (field: string) => string | undefined {
  return (field) => {
    if (field === 'metadata.name') return obj.metadata.name;
    if (field === 'metadata.namespace') return obj.metadata.namespace;
    return rt.fields?.[field]?.(obj);
  };
}
