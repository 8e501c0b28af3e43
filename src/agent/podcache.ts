// What the runtime holds for each pod, read once and kept until something says it changed: this agent acting on
// the pod, or the relist (agent.ts, every second) seeing the pod's containers change state. Syncs that only follow
// the API (our own status write coming back through the watch, the periodic resync, a probe verdict) then cost
// the engine nothing; only a sync after a change lists the pod's objects. The kubelet's PLEG cache works the same
// way: pod workers read a cache the relist keeps current, and never see the runtime older than their own actions.

import type { ContainerStatus, Runtime, Sandbox } from './runtime/runtime.js';

export interface RuntimeSnapshot {
  sandboxes: Sandbox[];
  containers: ContainerStatus[];
}

interface Entry {
  snap: RuntimeSnapshot | undefined;
  /** Bumped by every invalidation: a read that began before one must not be kept. */
  generation: number;
}

export class RuntimePodCache {
  private readonly pods = new Map<string, Entry>();
  /** Engine reads made and reads answered from the cache, for tests and logs. */
  readonly stats = { reads: 0, hits: 0 };

  constructor(private readonly runtime: Pick<Runtime, 'listSandboxes' | 'listContainers'>) {}

  /** The pod's sandboxes and containers: cached unless something changed them since they were read. */
  async get(uid: string): Promise<RuntimeSnapshot> {
    let entry = this.pods.get(uid);
    if (entry?.snap) {
      this.stats.hits++;
      return entry.snap;
    }
    if (!entry) {
      entry = { snap: undefined, generation: 0 };
      this.pods.set(uid, entry);
    }
    const generation = entry.generation;
    this.stats.reads++;
    const [sandboxes, containers] = await Promise.all([this.runtime.listSandboxes({ podUid: uid }), this.runtime.listContainers({ podUid: uid })]);
    const snap = { sandboxes: sandboxes.filter((s) => s.pod.uid === uid), containers: containers.filter((c) => c.pod.uid === uid) };
    if (this.pods.get(uid) === entry && entry.generation === generation) entry.snap = snap;
    return snap;
  }

  /** The pod's objects changed (this agent acted on them, or the relist saw it): the next get() reads the engine. */
  invalidate(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    entry.snap = undefined;
    entry.generation++;
  }

  /** The pod is gone from the node and the API: drop what was kept for it. */
  forget(uid: string): void {
    this.pods.delete(uid);
  }

  /** Pods with an entry (tests). */
  get size(): number {
    return this.pods.size;
  }
}
