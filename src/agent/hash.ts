// The spec hash a container is labelled with: a digest of its container spec in canonical form (keys sorted), so
// the same spec always hashes the same across agent restarts, and any change to it (in practice the image, the
// one mutable container field) tells the agent to replace the running container.

import { createHash } from 'node:crypto';
import type { Container } from './types.js';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function containerHash(c: Container): string {
  return createHash('sha256').update(canonical(c)).digest('hex').slice(0, 16);
}
