// `mkctl rollout pause|resume|restart deployment/NAME`: a strategic merge patch each, as kubectl sends it.
// pause sets spec.paused; resume removes it; restart stamps the template with
// kubectl.kubernetes.io/restartedAt, which changes the template and so rolls every pod.

import { isObject, type KubeObject } from '../../api/meta.js';
import { resourceName, objectRef } from '../resources.js';
import type { Client } from '../../client/client.js';
import { CliError, dryRunSuffix, type CommandContext } from '../context.js';
import { forEachTarget, type RolloutTarget } from './rollout.js';

type Action = 'pause' | 'resume' | 'restart';

const DONE: Record<Action, string> = { pause: 'paused', resume: 'resumed', restart: 'restarted' };

/** The patch for `action` on `d`, or a refusal in kubectl's words. */
export function rolloutPatch(action: Action, d: KubeObject, now: Date): { patch: unknown } | { refusal: string } {
  const paused = isObject(d.spec) && d.spec['paused'] === true;
  switch (action) {
    case 'pause':
      return paused ? { refusal: 'is already paused' } : { patch: { spec: { paused: true } } };
    case 'resume':
      return paused ? { patch: { spec: { paused: null } } } : { refusal: 'is not paused' };
    case 'restart': {
      if (paused) return { refusal: "can't restart paused deployment (run rollout resume first)" };
      const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } } };
    }
  }
}

async function one(ctx: CommandContext, client: Client, action: Action, t: RolloutTarget, namespace: string): Promise<void> {
  const rc = client.resource(t.rt);
  const d = await rc.get(t.name, { namespace });
  const p = rolloutPatch(action, d, new Date());
  if ('refusal' in p) throw new CliError(`${resourceName(t.rt)} "${t.name}" ${p.refusal}`);
  const dryRun = ctx.dryRun();
  if (dryRun !== 'client') await rc.patch(t.name, 'strategic', p.patch, { namespace, dryRun: dryRun === 'server' });
  ctx.io.out(`${objectRef(t.rt, t.name)} ${DONE[action]}${dryRunSuffix(dryRun)}\n`);
}

export async function patchRollout(ctx: CommandContext, action: Action, targets: readonly RolloutTarget[]): Promise<number> {
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  return forEachTarget(ctx, targets, (t) => one(ctx, client, action, t, namespace));
}
