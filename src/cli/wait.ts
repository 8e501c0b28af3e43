// Waiting on the server: until deleted objects are gone (delete), and until applied objects are ready
// (apply --wait). Both GET first, then watch the one object by `metadata.name` from the resourceVersion
// read, and GET again whenever a watch ends, so nothing between the two is missed.

import { isApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { isObject } from '../api/meta.js';
import type { ResourceType } from '../api/scheme.js';
import type { Client } from '../client/client.js';
import { UsageError } from './args.js';
import { CliError } from './context.js';
import { objectRef } from './resources.js';

export interface ObjectKey {
  rt: ResourceType;
  namespace: string | undefined;
  name: string;
  /** When set, an object with another uid (deleted and re-created) counts as gone. */
  uid?: string;
}

/** `30s`, `5m`, `1h30m`, `250ms`, `10` (seconds); 0 means no limit. In milliseconds. */
export function parseDuration(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60000 : n * 3600000;
    consumed += m[0].length;
  }
  if (consumed !== s.length || s === '') throw new UsageError(`invalid duration "${s}": use 30s, 5m or 1h`);
  return total;
}

export function refOf(k: ObjectKey): string {
  return objectRef(k.rt, k.name);
}

function scope(k: ObjectKey): { namespace?: string } {
  return k.namespace === undefined ? {} : { namespace: k.namespace };
}

/** An AbortSignal that fires after `ms` (never for 0), and a way to tell that it did. */
function deadline(ms: number): { signal: AbortSignal; expired: () => boolean; clear: () => void } {
  const ac = new AbortController();
  const timer = ms > 0 ? setTimeout(() => ac.abort(), ms) : undefined;
  return { signal: ac.signal, expired: () => ac.signal.aborted, clear: () => clearTimeout(timer) };
}

/**
 * Follows one object: calls `check` with each version seen (undefined once it is gone) until `check`
 * returns true or `signal` aborts. Re-GETs when a watch ends or expires.
 */
export async function follow(client: Client, key: ObjectKey, opts: { signal: AbortSignal; check: (obj: KubeObject | undefined) => boolean }): Promise<void> {
  const rc = client.resource(key.rt);
  while (!opts.signal.aborted) {
    let obj: KubeObject | undefined;
    try {
      obj = await rc.get(key.name, scope(key));
      if (key.uid && obj.metadata.uid !== key.uid) obj = undefined;
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
    if (opts.check(obj)) return;
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    opts.signal.addEventListener('abort', stop, { once: true });
    let done = false;
    try {
      await rc.watch(
        { ...scope(key), fieldSelector: `metadata.name=${key.name}`, resourceVersion: obj?.metadata.resourceVersion, timeoutSeconds: 60, signal: ac.signal },
        (ev) => {
          if (done) return;
          if (ev.type === 'BOOKMARK') return;
          const seen = ev.type === 'DELETED' || (key.uid && ev.object.metadata.uid !== key.uid) ? undefined : ev.object;
          if (opts.check(seen)) {
            done = true;
            ac.abort();
          }
        },
      );
    } catch (e) {
      // An expired resourceVersion or a dropped stream: GET again.
      if (!isApiError(e, 'Expired') && !isApiError(e, 'Gone') && !isApiError(e, 'ServiceUnavailable')) throw e;
    } finally {
      opts.signal.removeEventListener('abort', stop);
    }
    if (done) return;
  }
}

/** Waits until every object is gone. Throws a CliError naming those still there when the timeout passes. */
export async function waitForDeletion(client: Client, keys: readonly ObjectKey[], opts: { timeoutMs: number }): Promise<void> {
  const d = deadline(opts.timeoutMs);
  const left = new Set(keys);
  try {
    await Promise.all(
      keys.map((k) =>
        follow(client, k, {
          signal: d.signal,
          check: (obj) => {
            if (obj !== undefined) return false;
            left.delete(k);
            return true;
          },
        }),
      ),
    );
  } finally {
    d.clear();
  }
  if (left.size > 0) throw new CliError(`timed out waiting for the deletion of ${[...left].map(refOf).join(', ')}`);
}

export interface Readiness {
  ready: boolean;
  /** Set when the object can no longer become ready (a failed Job or Pod). */
  failed?: string;
  /** A short progress text: `2/3 available`. */
  detail: string;
}

const o = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const n = (v: unknown, d = 0): number => (typeof v === 'number' ? v : d);

function condition(obj: KubeObject, type: string): string | undefined {
  const conds = o(obj.status)['conditions'];
  if (!Array.isArray(conds)) return undefined;
  const c = conds.map(o).find((x) => x['type'] === type);
  return typeof c?.['status'] === 'string' ? c['status'] : undefined;
}

function generationObserved(obj: KubeObject): boolean {
  return n(o(obj.status)['observedGeneration'], -1) >= n(obj.metadata.generation, 0);
}

/** Whether an object is ready, by kind; kinds without a notion of readiness are ready once they exist. */
export function readiness(obj: KubeObject): Readiness {
  const spec = o(obj.spec);
  const st = o(obj.status);
  switch (obj.kind) {
    case 'Deployment': {
      const want = n(spec['replicas'], 1);
      const updated = n(st['updatedReplicas']);
      const available = n(st['availableReplicas']);
      const total = n(st['replicas']);
      const ready = generationObserved(obj) && updated >= want && available >= want && total <= want;
      return { ready, detail: `${available}/${want} available${updated < want ? `, ${updated} updated` : ''}` };
    }
    case 'ReplicaSet': {
      const want = n(spec['replicas'], 1);
      const ready = n(st['readyReplicas']);
      return { ready: generationObserved(obj) && ready >= want, detail: `${ready}/${want} ready` };
    }
    case 'Job': {
      if (condition(obj, 'Failed') === 'True') return { ready: false, failed: 'the job failed', detail: 'failed' };
      const want = n(spec['completions'], 1);
      return { ready: condition(obj, 'Complete') === 'True', detail: `${n(st['succeeded'])}/${want} succeeded` };
    }
    case 'Pod': {
      const phase = typeof st['phase'] === 'string' ? st['phase'] : 'Pending';
      if (phase === 'Failed') return { ready: false, failed: 'the pod failed', detail: phase };
      return { ready: phase === 'Succeeded' || condition(obj, 'Ready') === 'True', detail: phase };
    }
    case 'Namespace':
      return { ready: st['phase'] === undefined || st['phase'] === 'Active', detail: typeof st['phase'] === 'string' ? st['phase'] : 'Active' };
    case 'Node':
      return { ready: condition(obj, 'Ready') === 'True', detail: condition(obj, 'Ready') === 'True' ? 'Ready' : 'NotReady' };
    default:
      return { ready: true, detail: 'exists' };
  }
}

/**
 * Waits until every object is ready, calling `onChange(key, readiness)` whenever one's state changes.
 * Throws a CliError when one fails or when the timeout passes (naming what is not ready and why).
 */
export async function waitForReady(
  client: Client,
  keys: readonly ObjectKey[],
  opts: { timeoutMs: number; onChange: (key: ObjectKey, r: Readiness) => void },
): Promise<void> {
  const d = deadline(opts.timeoutMs);
  const state = new Map<ObjectKey, Readiness>(keys.map((k) => [k, { ready: false, detail: 'waiting' }]));
  let failure: string | undefined;
  const ac = new AbortController();
  d.signal.addEventListener('abort', () => ac.abort(), { once: true });
  try {
    await Promise.all(
      keys.map((k) =>
        follow(client, k, {
          signal: ac.signal,
          check: (obj) => {
            const r: Readiness = obj ? readiness(obj) : { ready: false, detail: 'not found' };
            const prev = state.get(k);
            state.set(k, r);
            if (prev?.detail !== r.detail || prev.ready !== r.ready) opts.onChange(k, r);
            if (r.failed) {
              failure ??= `${refOf(k)}: ${r.failed}`;
              ac.abort();
            }
            return r.ready;
          },
        }),
      ),
    );
  } finally {
    d.clear();
  }
  if (failure) throw new CliError(failure);
  const waiting = keys.filter((k) => !state.get(k)?.ready);
  if (waiting.length > 0) throw new CliError(`timed out waiting for ${waiting.map((k) => `${refOf(k)} (${state.get(k)?.detail ?? '?'})`).join(', ')}`);
}
