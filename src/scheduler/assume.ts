// Assumed bindings: pods this scheduler has decided to place (binding in flight, or bound but not yet seen
// through the pod informer). Without them, a burst of pods decided faster than the informer catches up would
// all see the same free room on a node and overcommit it. Kubernetes' scheduler cache does the same.
//
// Lifecycle of an entry:  assume (before the POST)  → bound (POST succeeded)  → gone, when the informer shows
// the pod bound, deleted or replaced (another uid). forget() drops it when the POST fails. A bound entry the
// informer never confirms expires after `ttlMs`, so a lost watch event cannot hold room forever.

import type { Clock } from '../util/clock.js';
import { podKey, type Pod } from './types.js';

interface Assumed {
  pod: Pod;
  /** When the binding POST succeeded; undefined while it is in flight (never expires then). */
  boundAt: number | undefined;
}

export class AssumedPods {
  private readonly entries = new Map<string, Assumed>();
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(opts: { clock: Clock; ttlMs?: number }) {
    this.clock = opts.clock;
    this.ttlMs = opts.ttlMs ?? 30_000;
  }

  /** Record that `pod` is going to `node`; the snapshot counts it there from now on. */
  assume(pod: Pod, node: string): void {
    const copy = structuredClone(pod);
    copy.spec = { ...copy.spec, nodeName: node };
    this.entries.set(podKey(pod), { pod: copy, boundAt: undefined });
  }

  /** The binding POST succeeded: start the expiry clock. */
  bound(key: string): void {
    const e = this.entries.get(key);
    if (e) e.boundAt = this.clock.now();
  }

  /** The binding failed (or the pod is gone): the node's room is free again. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  nodeOf(key: string): string | undefined {
    return this.entries.get(key)?.pod.spec?.nodeName;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The informer's view of `key` changed: drop the assumption once the cache accounts for the pod itself
   * (bound), or the pod is gone or replaced.
   */
  observe(key: string, cached: Pod | undefined): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (!cached || cached.metadata.uid !== e.pod.metadata.uid || cached.spec?.nodeName) this.entries.delete(key);
  }

  /**
   * The cached pods with assumed bindings laid over them: a pod the cache still shows unbound appears bound to
   * its assumed node. Settles entries the cache has caught up with, and expired ones, on the way.
   */
  overlay(cached: readonly Pod[]): Pod[] {
    if (this.entries.size === 0) return [...cached];
    const now = this.clock.now();
    const seen = new Set<string>();
    const out = cached.map((pod) => {
      const key = podKey(pod);
      const e = this.entries.get(key);
      if (!e) return pod;
      seen.add(key);
      this.observe(key, pod);
      if (!this.entries.has(key)) return pod;
      if (e.boundAt !== undefined && now - e.boundAt > this.ttlMs) {
        this.entries.delete(key);
        return pod;
      }
      return e.pod;
    });
    for (const key of [...this.entries.keys()]) if (!seen.has(key)) this.entries.delete(key);
    return out;
  }
}
