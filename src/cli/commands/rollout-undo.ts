// `mkctl rollout undo deployment/NAME [--to-revision N]`: client-side, as kubectl 1.32 does it. Find the
// ReplicaSet of the previous revision (or of N), and send one JSON patch that replaces the Deployment's
// spec.template with that ReplicaSet's (less the pod-template-hash label) and its annotations with the
// ReplicaSet's (keeping the Deployment's own rollout annotations). The controller then rolls that template out
// again, and the old ReplicaSet becomes the newest revision.

import type { KubeObject } from '../../api/meta.js';
import { ANNOTATIONS_TO_SKIP, equalIgnoreHash, withoutHashLabel } from '../../api/podtemplate.js';
import type { Client } from '../../client/client.js';
import { CliError, dryRunSuffix, type CommandContext } from '../context.js';
import { objectRef } from '../resources.js';
import { revisionOf } from './rollout-history.js';
import { forEachTarget, replicaSetsOf, type RolloutTarget } from './rollout.js';

/** The ReplicaSet for `toRevision`, or (0) the one with the second-highest revision. */
export function rollbackSource(d: KubeObject, rss: readonly KubeObject[], toRevision: number): KubeObject {
  const known = rss.flatMap((rs) => {
    const r = revisionOf(rs);
    return r === undefined ? [] : [{ r, rs }];
  });
  if (toRevision > 0) {
    const hit = known.find((k) => k.r === toRevision);
    if (!hit) throw new CliError(`unable to find specified revision ${toRevision} in history`);
    return hit.rs;
  }
  const previous = [...known].sort((a, b) => b.r - a.r)[1];
  if (!previous) throw new CliError(`no rollout history found for deployment "${d.metadata.name ?? ''}"`);
  return previous.rs;
}

/** The JSON patch kubectl sends: the template, and the annotations (the Deployment's rollout ones, then the ReplicaSet's). */
export function rollbackPatch(d: KubeObject, rs: KubeObject): unknown[] {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  const spec = (rs.spec ?? {}) as { template?: unknown };
  return [
    { op: 'replace', path: '/spec/template', value: withoutHashLabel(spec.template ?? {}) },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

async function one(ctx: CommandContext, client: Client, t: RolloutTarget, namespace: string): Promise<void> {
  const rc = client.resource(t.rt);
  const d = await rc.get(t.name, { namespace });
  const spec = (d.spec ?? {}) as { paused?: boolean; template?: unknown };
  if (spec.paused) throw new CliError("you cannot rollback a paused deployment; resume it first with 'mkctl rollout resume' and try again");
  const rs = rollbackSource(d, await replicaSetsOf(client, d, namespace), ctx.args.int('to-revision') ?? 0);
  const ref = objectRef(t.rt, t.name);
  if (equalIgnoreHash((rs.spec as { template?: unknown } | undefined)?.template, spec.template)) {
    ctx.io.out(`${ref} skipped rollback (current template already matches revision ${revisionOf(rs) ?? 0})\n`);
    return;
  }
  const dryRun = ctx.dryRun();
  if (dryRun !== 'client') await rc.patch(t.name, 'json', rollbackPatch(d, rs), { namespace, dryRun: dryRun === 'server' });
  ctx.io.out(`${ref} rolled back${dryRunSuffix(dryRun)}\n`);
}

export async function undo(ctx: CommandContext, targets: readonly RolloutTarget[]): Promise<number> {
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  return forEachTarget(ctx, targets, (t) => one(ctx, client, t, namespace));
}
