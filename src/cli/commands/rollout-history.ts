// `mkctl rollout history deployment/NAME [--revision N]`: the revisions of the Deployment's ReplicaSets with
// their change-cause annotation, in kubectl's layout; with --revision, that revision's pod template.

import type { KubeObject } from '../../api/meta.js';
import { CHANGE_CAUSE_ANNOTATION, REVISION_ANNOTATION } from '../../api/podtemplate.js';
import type { Client } from '../../client/client.js';
import { CliError, type CommandContext } from '../context.js';
import { Doc, podTemplate } from '../describers.js';
import { alignRows } from '../output.js';
import { objectRef } from '../resources.js';
import { forEachTarget, replicaSetsOf, type RolloutTarget } from './rollout.js';

export function revisionOf(rs: KubeObject): number | undefined {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** Revision → the ReplicaSet holding it (the last one listed wins, as in kubectl). */
export function revisions(rss: readonly KubeObject[]): Map<number, KubeObject> {
  const out = new Map<number, KubeObject>();
  for (const rs of rss) {
    const r = revisionOf(rs);
    if (r !== undefined) out.set(r, rs);
  }
  return new Map([...out].sort(([a], [b]) => a - b));
}

function templateOf(rs: KubeObject): Record<string, unknown> {
  const spec = (rs.spec ?? {}) as { template?: Record<string, unknown> };
  return spec.template ?? {};
}

async function one(ctx: CommandContext, client: Client, t: RolloutTarget, namespace: string): Promise<void> {
  const d = await client.resource(t.rt).get(t.name, { namespace });
  const byRevision = revisions(await replicaSetsOf(client, d, namespace));
  const wanted = ctx.args.int('revision') ?? 0;
  if (byRevision.size === 0) {
    ctx.io.out('No rollout history found.\n');
    return;
  }
  if (wanted > 0) {
    const rs = byRevision.get(wanted);
    if (!rs) throw new CliError('unable to find the specified revision');
    const doc = new Doc();
    podTemplate(doc, templateOf(rs));
    ctx.io.out(`${objectRef(t.rt, t.name)} with revision #${wanted}\n${doc.render()}\n`);
    return;
  }
  const rows = [['REVISION', 'CHANGE-CAUSE'], ...[...byRevision].map(([r, rs]) => [String(r), rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] || '<none>'])];
  // kubectl's history table pads columns by two spaces (its tabwriter setting there), not three.
  const widths = [Math.max(...rows.map((r) => (r[0] ?? '').length)) + 2];
  ctx.io.out(`${objectRef(t.rt, t.name)} \n${alignRows(rows, widths)}\n`);
}

export async function history(ctx: CommandContext, targets: readonly RolloutTarget[]): Promise<number> {
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  return forEachTarget(ctx, targets, (t) => one(ctx, client, t, namespace));
}
