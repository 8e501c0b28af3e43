// `mkctl rollout status|history|undo|pause|resume|restart KIND/NAME...`, as kubectl rollout does for
// Deployments: each subcommand lives in its own rollout-*.ts; this file picks it and resolves the targets.

import type { KubeObject } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { formatSelector, selectorFromSpec, type LabelSelectorSpec } from '../../api/selector.js';
import type { Client } from '../../client/client.js';
import { UsageError } from '../args.js';
import { CliError, type CommandContext } from '../context.js';
import { errorLine } from '../errors.js';
import { kindName, parseTargets } from '../resources.js';

export const SUBCOMMANDS = ['status', 'history', 'undo', 'pause', 'resume', 'restart'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export interface RolloutTarget {
  rt: ResourceType;
  name: string;
}

/** The named Deployments (`deploy/web`, `deployment web other`); other kinds have no rollout here. */
export function rolloutTargets(words: readonly string[]): RolloutTarget[] {
  if (words.length === 0) throw new UsageError('name a deployment: mkctl rollout SUBCOMMAND deployment/NAME');
  const out: RolloutTarget[] = [];
  for (const t of parseTargets(words)) {
    if (t.rt.kind !== 'Deployment') throw new CliError(`no rollout support for ${kindName(t.rt)} (only deployments)`);
    if (t.names.length === 0) throw new UsageError('name a deployment: mkctl rollout SUBCOMMAND deployment/NAME');
    out.push(...t.names.map((name) => ({ rt: t.rt, name })));
  }
  return out;
}

/** The ReplicaSets a Deployment controls: listed by its selector, kept if their controller is its uid. */
export async function replicaSetsOf(client: Client, d: KubeObject, namespace: string): Promise<KubeObject[]> {
  const rt = lookupResource('apps', 'v1', 'replicasets');
  if (!rt) throw new CliError('this mkctl has no replicasets kind');
  const spec = (d.spec ?? {}) as { selector?: LabelSelectorSpec };
  const labelSelector = formatSelector(selectorFromSpec(spec.selector));
  const items = (await client.resource(rt).list({ namespace, labelSelector })).items;
  return items.filter((rs) => (rs.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === d.metadata.uid));
}

/** Runs `each` for every target, printing failures as they come; exit code 1 if any failed. */
export async function forEachTarget(ctx: CommandContext, targets: readonly RolloutTarget[], each: (t: RolloutTarget) => Promise<void>): Promise<number> {
  let failed = 0;
  for (const t of targets) {
    try {
      await each(t);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      failed++;
      ctx.io.err(`${errorLine(e)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

export async function run(ctx: CommandContext): Promise<number> {
  const [sub, ...words] = ctx.args.positionals;
  if (sub === undefined) throw new UsageError(`name a subcommand: ${SUBCOMMANDS.join(', ')}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown rollout subcommand "${sub}" (${SUBCOMMANDS.join(', ')})`);
  const targets = rolloutTargets(words);
  switch (sub as Subcommand) {
    case 'status':
      return (await import('./rollout-status.js')).status(ctx, targets);
    case 'history':
      return (await import('./rollout-history.js')).history(ctx, targets);
    case 'undo':
      return (await import('./rollout-undo.js')).undo(ctx, targets);
    default:
      return (await import('./rollout-patch.js')).patchRollout(ctx, sub as 'pause' | 'resume' | 'restart', targets);
  }
}
