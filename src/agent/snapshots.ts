// What the runtime holds, listed once for every reader that asks at about the same time. A pod sync must see the
// runtime as it is after its own actions, so a reader joins the next list that *starts* after it asked: readers
// that ask while a list is running share the one after it, and readers that ask in the same turn of the event loop
// share one. Sixteen pod workers and the relist loop asking
// together cost one engine list instead of one (filtered, but the engine still walks every container) per reader;
// the kubelet's PLEG feeds its pod workers from one relist for the same reason.

import type { ContainerStatus, Runtime, Sandbox } from './runtime/runtime.js';

const noop = (): void => undefined;

export interface RuntimeSnapshot {
  sandboxes: Sandbox[];
  containers: ContainerStatus[];
}

export class RuntimeSnapshots {
  private running: Promise<RuntimeSnapshot> | undefined;
  private next: Promise<RuntimeSnapshot> | undefined;
  /** Lists made, for tests and logs. */
  lists = 0;

  constructor(private readonly runtime: Pick<Runtime, 'listSandboxes' | 'listContainers'>) {}

  /** A snapshot listed after this call was made. */
  fresh(): Promise<RuntimeSnapshot> {
    if (this.next) return this.next;
    // The list starts once the running one has finished, and not before the current turn of the event loop is
    // over, so that readers asking in the same turn (a batch of informer events) share it.
    const ready = this.running ? this.running.then(noop, noop) : new Promise<void>((resolve) => setImmediate(resolve));
    this.next = ready.then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  /** One pod's part of a fresh snapshot. */
  async pod(uid: string): Promise<RuntimeSnapshot> {
    const all = await this.fresh();
    return { sandboxes: all.sandboxes.filter((s) => s.pod.uid === uid), containers: all.containers.filter((c) => c.pod.uid === uid) };
  }

  private start(): Promise<RuntimeSnapshot> {
    this.lists++;
    const p = Promise.all([this.runtime.listSandboxes(), this.runtime.listContainers()]).then(([sandboxes, containers]) => ({ sandboxes, containers }));
    this.running = p;
    const done = (): void => {
      if (this.running === p) this.running = undefined;
    };
    p.then(done, done);
    return p;
  }
}
