// sync(name) of the namespace controller. A namespace being deleted (deletionTimestamp set, `kubernetes` still in
// spec.finalizers) has its content deleted: every namespaced kind in the scheme, listed on the server (not from a
// cache: "nothing is left" must be true of the server, and a cache of every kind would cost more than these lists).
// While anything remains (pods stopping gracefully, objects waiting on finalizers) it is checked again shortly;
// once nothing does, the `kubernetes` finalizer is removed through namespaces/{name}/finalize and the API server
// removes the namespace.

import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { RESOURCES, type ResourceType } from '../../api/scheme.js';
import type { Indexer } from '../../machinery/store.js';
import type { Clock } from '../../util/clock.js';
import type { Condition, Namespace } from '../api.js';

export const KUBERNETES_FINALIZER = 'kubernetes';

/** The kinds whose objects live in namespaces: what a namespace's deletion deletes. */
export const NAMESPACED_RESOURCES: readonly ResourceType[] = RESOURCES.filter((r) => r.namespaced);

export interface NamespaceWrites {
  list(rt: ResourceType, namespace: string): Promise<KubeObject[]>;
  /** Delete in the background (the garbage collector takes dependents), with a uid precondition. */
  delete(rt: ResourceType, obj: KubeObject): Promise<void>;
  /** PUT namespaces/{name}/finalize with these spec.finalizers. */
  finalize(ns: Namespace, finalizers: string[]): Promise<void>;
  updateStatus(ns: Namespace, status: NonNullable<Namespace['status']>): Promise<void>;
}

export interface NamespaceSyncDeps {
  namespaces: Indexer<Namespace>;
  writes: NamespaceWrites;
  clock: Clock;
  /** Check `name` again after `ms` (content still going away). */
  enqueueAfter(name: string, ms: number): void;
  /** How long to wait before checking remaining content again (default 1 s). */
  recheckMs?: number;
}

/** What is left in a namespace, by resource, as the NamespaceContentRemaining message counts it. */
export interface Remaining {
  counts: Map<string, number>;
  total: number;
  failures: string[];
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The Terminating status with conditions describing what remains (pure). */
export function terminatingStatus(ns: Namespace, left: Remaining, now: number): NonNullable<Namespace['status']> {
  const old = ns.status?.conditions ?? [];
  const set = (type: string, on: boolean, reason: string, message: string): Condition => {
    const status = on ? 'True' : 'False';
    const prev = old.find((c) => c.type === type);
    if (prev && prev.status === status && prev.reason === reason && prev.message === message) return prev;
    return { type, status, reason, message, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now) };
  };
  const parts = [...left.counts].map(([r, n]) => `${r} has ${n} resource instances`);
  const others = old.filter((c) => c.type !== 'NamespaceContentRemaining' && c.type !== 'NamespaceDeletionContentFailure');
  return {
    phase: 'Terminating',
    conditions: [
      ...others,
      set(
        'NamespaceContentRemaining',
        left.total > 0,
        left.total > 0 ? 'SomeResourcesRemain' : 'ContentRemoved',
        left.total > 0 ? `Some resources are remaining: ${parts.join(', ')}` : 'All content successfully removed',
      ),
      set(
        'NamespaceDeletionContentFailure',
        left.failures.length > 0,
        left.failures.length ? 'ContentDeletionFailed' : 'ContentDeleted',
        left.failures.length
          ? `Failed to delete all resource types, ${left.failures.length} remaining: ${left.failures.join(', ')}`
          : 'All content successfully deleted, may be waiting on finalization',
      ),
    ],
  };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Delete every namespaced object in `name`; count what is still there (including what is only terminating). */
export async function deleteContent(writes: NamespaceWrites, name: string): Promise<Remaining> {
  const left: Remaining = { counts: new Map(), total: 0, failures: [] };
  for (const rt of NAMESPACED_RESOURCES) {
    const id = rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
    let items: KubeObject[];
    try {
      items = await writes.list(rt, name);
    } catch (e) {
      left.failures.push(`${id}: ${errorMessage(e)}`);
      continue;
    }
    for (const obj of items) {
      if (obj.metadata.deletionTimestamp) continue;
      try {
        await writes.delete(rt, obj);
      } catch (e) {
        if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) left.failures.push(`${id}/${obj.metadata.name ?? ''}: ${errorMessage(e)}`);
      }
    }
    if (items.length) {
      left.counts.set(id, items.length);
      left.total += items.length;
    }
  }
  return left;
}

export async function syncNamespace(deps: NamespaceSyncDeps, name: string): Promise<void> {
  const ns = deps.namespaces.get(name);
  if (!ns?.metadata.deletionTimestamp) return;
  const finalizers = ns.spec?.finalizers ?? [];
  if (!finalizers.includes(KUBERNETES_FINALIZER)) return;
  const left = await deleteContent(deps.writes, name);
  // A second pass confirms: the first one's deletes finish at once for most kinds.
  const after = left.total > 0 ? await deleteContent(deps.writes, name) : left;
  if (after.total > 0 || after.failures.length > 0) {
    const status = terminatingStatus(ns, after, deps.clock.now());
    if (JSON.stringify(status) !== JSON.stringify(ns.status)) await deps.writes.updateStatus(ns, status);
    deps.enqueueAfter(name, deps.recheckMs ?? 1000);
    return;
  }
  await deps.writes.finalize(
    ns,
    finalizers.filter((f) => f !== KUBERNETES_FINALIZER),
  );
}
