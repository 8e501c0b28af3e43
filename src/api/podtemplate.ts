// Pod templates as Deployments and ReplicaSets hold them: the annotations and label a rollout keeps, and template
// equality that ignores the pod-template-hash label and Go's empty values. Shared by the Deployment controller and
// `mkctl rollout` (which, like kubectl, rolls back client-side).

export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations not copied onto its ReplicaSets, nor back from a ReplicaSet by a rollback. */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/**
 * A template as data, for hashing and comparison: keys sorted, and nulls, empty maps and empty lists dropped, so
 * `creationTimestamp: null` or `resources: {}` (what Go clients send back, e.g. `kubectl rollout undo`) do not
 * make two templates differ. The pod-template-hash label is left out.
 */
export function canonicalTemplate(template: unknown): string {
  return JSON.stringify(canon(withoutHashLabel(template)) ?? {});
}

/** Templates equal apart from the pod-template-hash label (and Go's empty values). */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return canonicalTemplate(a) === canonicalTemplate(b);
}

/** A copy of the template without the pod-template-hash label. */
export function withoutHashLabel(template: unknown): unknown {
  if (!isRecord(template) || !isRecord(template['metadata'])) return template;
  const meta = template['metadata'];
  if (!isRecord(meta['labels'])) return template;
  const labels = { ...meta['labels'] };
  delete labels[POD_TEMPLATE_HASH];
  return { ...template, metadata: { ...meta, labels } };
}

function canon(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => canon(x) ?? null);
    return items.length ? items : undefined;
  }
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canon(v[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
