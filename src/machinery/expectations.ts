// ReplicaSet-style expectations. After a controller creates or deletes N objects, its cache lags the server
// until the informer delivers N events; syncing in that gap would see too few (or too many) objects and act
// twice. So sync records what it expects, the event handlers count observations down, and sync does nothing
// for a key until its expectations are satisfied. A TTL bounds the damage if an event is never seen (a create
// that failed after being counted, a watch that missed a delete): after it, the key is treated as satisfied.

import type { Clock } from '../util/clock.js';

export interface ExpectationsOptions {
  clock: Clock;
  /** After this long, unmet expectations count as satisfied (default 5 minutes, as in Kubernetes). */
  ttlMs?: number;
}

interface Expected {
  adds: number;
  dels: number;
  setAt: number;
}

export class Expectations {
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly records = new Map<string, Expected>();

  constructor(opts: ExpectationsOptions) {
    this.clock = opts.clock;
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
  }

  /** Expect `n` creations for `key`, replacing any earlier expectations (a sync either creates or deletes). */
  expectCreations(key: string, n: number): void {
    this.records.set(key, { adds: n, dels: 0, setAt: this.clock.now() });
  }

  /** Expect `n` deletions for `key`, replacing any earlier expectations. */
  expectDeletions(key: string, n: number): void {
    this.records.set(key, { adds: 0, dels: n, setAt: this.clock.now() });
  }

  /** An add event was seen for an object owned by `key`, or a create that was counted failed. */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.adds--;
  }

  /** A delete event was seen for an object owned by `key`, or a delete that was counted failed. */
  deletionObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.dels--;
  }

  /** True when sync may act: no expectations, all observed, or older than the TTL. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.dels <= 0) return true;
    return this.clock.now() - r.setAt > this.ttlMs;
  }

  /** Outstanding counts, for logs and tests. */
  pending(key: string): { adds: number; dels: number } | undefined {
    const r = this.records.get(key);
    return r && { adds: Math.max(0, r.adds), dels: Math.max(0, r.dels) };
  }

  /** Forget `key` (its owner was deleted). */
  delete(key: string): void {
    this.records.delete(key);
  }
}
