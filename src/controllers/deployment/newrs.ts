// Finding (or making) the new ReplicaSet, the one whose template is the Deployment's, and keeping revisions:
// the new ReplicaSet's revision is one more than the highest among the old ones, so rolling back to an old
// template gives its ReplicaSet a new, highest revision. The Deployment carries its new ReplicaSet's revision.

import { newControllerRef, type ReplicaSet } from '../api.js';
import type { Work } from './work.js';
import {
  ANNOTATIONS_TO_SKIP,
  POD_TEMPLATE_HASH,
  REVISION,
  byCreation,
  equalIgnoreHash,
  hasProgressDeadline,
  replicasOf,
  revisionOf,
  templateHash,
} from './util.js';

export interface Generations {
  newRS: ReplicaSet | undefined;
  /** Every other ReplicaSet the Deployment controls, active or not. */
  oldRSs: ReplicaSet[];
}

/** The oldest ReplicaSet whose template equals the Deployment's (ignoring the hash label), and the rest. */
export function splitGenerations(w: Work): Generations {
  const sorted = [...w.rss].sort(byCreation);
  const newRS = sorted.find((rs) => equalIgnoreHash(rs.spec.template, w.d.spec.template));
  return { newRS, oldRSs: w.rss.filter((rs) => rs !== newRS) };
}

/** Copy the Deployment's annotations (but the skipped ones) and the new revision onto `rs`; true if it changed. */
function syncAnnotations(w: Work, rs: ReplicaSet, revision: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(w.d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  if (revisionOf(rs) < revision) {
    ann[REVISION] = String(revision);
    changed = true;
  }
  return changed;
}

function setDeploymentRevision(w: Work, revision: string | undefined): void {
  if (revision === undefined) return;
  const ann = (w.d.metadata.annotations ??= {});
  ann[REVISION] = revision;
}

/**
 * The new and old ReplicaSets, with the new one's annotations, minReadySeconds and revision brought up to date.
 * With `create`, a missing new ReplicaSet is made, sized by `initialReplicas`.
 */
export function syncRevision(w: Work, opts: { create: boolean; initialReplicas?: (w: Work) => number }): Generations {
  const { newRS, oldRSs } = splitGenerations(w);
  const newRevision = Math.max(0, ...oldRSs.map(revisionOf)) + 1;
  if (newRS) {
    let changed = syncAnnotations(w, newRS, newRevision);
    if ((newRS.spec.minReadySeconds ?? 0) !== (w.d.spec.minReadySeconds ?? 0)) {
      newRS.spec.minReadySeconds = w.d.spec.minReadySeconds ?? 0;
      changed = true;
    }
    if (changed) w.touch(newRS);
    setDeploymentRevision(w, newRS.metadata.annotations?.[REVISION]);
    if (hasProgressDeadline(w.d) && !w.condition('Progressing'))
      w.setCondition({ type: 'Progressing', status: 'True', reason: 'FoundNewReplicaSet', message: `Found new replica set "${newRS.metadata.name ?? ''}"` });
    return { newRS, oldRSs };
  }
  if (!opts.create) return { newRS: undefined, oldRSs };
  const created = newReplicaSet(w, opts.initialReplicas ? opts.initialReplicas(w) : replicasOf(w.d));
  syncAnnotations(w, created, newRevision);
  w.setReplicasAnnotations(created);
  w.create(created);
  const n = created.spec.replicas ?? 0;
  if (n > 0) w.event('ScalingReplicaSet', `Scaled up replica set ${created.metadata.name ?? ''} to ${n}`);
  if (hasProgressDeadline(w.d))
    w.setCondition({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${created.metadata.name ?? ''}"` });
  setDeploymentRevision(w, String(newRevision));
  return { newRS: created, oldRSs };
}

/** `<deployment>-<hash>`, the hash label on its selector, template and (so) pods, controlled by the Deployment. */
function newReplicaSet(w: Work, replicas: number): ReplicaSet {
  const d = w.d;
  const template = structuredClone(d.spec.template);
  const hash = templateHash(template, d.status?.collisionCount);
  const meta = (template.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`,
      namespace: d.metadata.namespace ?? 'default',
      labels: { ...(meta.labels ?? {}) },
      annotations: {},
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
}
