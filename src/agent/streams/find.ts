// A FindContainer from the runtime's labels alone: the containers labelled with the pod's
// namespace, name and container name, newest first. The newest is the current instance; the
// one before it, of the same pod UID, is `previous` (what `kubectl logs -p` shows). Ordering by
// creation rather than attempt keeps a deleted pod's leftovers, of the same name, out of the way.

import { LABELS, type Runtime } from '../runtime/runtime.js';
import type { ContainerRef } from '../server.js';

export function findContainerByLabels(runtime: Pick<Runtime, 'listContainers'>): (ref: ContainerRef) => Promise<{ id: string } | undefined> {
  return async (ref) => {
    const matching = (await runtime.listContainers()).filter(
      (c) => c.labels[LABELS.podNamespace] === ref.namespace && c.labels[LABELS.podName] === ref.pod && c.labels[LABELS.containerName] === ref.container,
    );
    matching.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
    const current = matching[0];
    if (!current || !ref.previous) return current ? { id: current.id } : undefined;
    const previous = matching.slice(1).find((c) => c.pod.uid === current.pod.uid);
    return previous ? { id: previous.id } : undefined;
  };
}
