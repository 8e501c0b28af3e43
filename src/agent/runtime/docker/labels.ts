// Identity in labels: every engine object the runtime creates carries its pod's reference, so a
// restarted agent finds (adopts) what runs by listing labels, never by name or by memory.

import { LABELS, type PodRef } from '../runtime.js';

export function podLabels(pod: PodRef, role: 'sandbox' | 'container' | 'init'): Record<string, string> {
  return {
    [LABELS.podUid]: pod.uid,
    [LABELS.podName]: pod.name,
    [LABELS.podNamespace]: pod.namespace,
    [LABELS.role]: role,
  };
}

export function podFromLabels(labels: Record<string, string> | null | undefined): PodRef {
  const l = labels ?? {};
  return { uid: l[LABELS.podUid] ?? '', name: l[LABELS.podName] ?? '', namespace: l[LABELS.podNamespace] ?? '' };
}

/** Engine names must match [a-zA-Z0-9][a-zA-Z0-9_.-]+; Kubernetes names already do, but be safe. */
export function safeName(parts: string[]): string {
  return parts.map((p) => p.replace(/[^a-zA-Z0-9_.-]/g, '-')).join('_');
}
