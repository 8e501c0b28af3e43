// `mkctl rollout status deployment/NAME`: follows the Deployment (GET, then a watch by name) and prints
// kubectl's progress lines as they change, until "successfully rolled out", the progress deadline passes, or
// --timeout. `--watch=false` prints the current line once, as kubectl does (exit 0 either way).

import { isObject, type KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import { CliError, type CommandContext } from '../context.js';
import { follow, parseDuration } from '../wait.js';
import { forEachTarget, type RolloutTarget } from './rollout.js';

export interface RolloutState {
  message: string;
  done: boolean;
  error?: string;
}

const num = (v: unknown, d = 0): number => (typeof v === 'number' ? v : d);

/** kubectl's DeploymentStatusViewer: what to print for this version of the Deployment. */
export function deploymentRolloutState(d: KubeObject): RolloutState {
  const name = d.metadata.name ?? '';
  const spec = isObject(d.spec) ? d.spec : {};
  const st = isObject(d.status) ? d.status : {};
  if (num(d.metadata.generation) > num(st['observedGeneration'])) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  const conds = Array.isArray(st['conditions']) ? (st['conditions'] as unknown[]) : [];
  const progressing = conds.find((c) => isObject(c) && c['type'] === 'Progressing');
  if (isObject(progressing) && progressing['reason'] === 'ProgressDeadlineExceeded')
    return { message: '', done: false, error: `deployment "${name}" exceeded its progress deadline` };
  const want = num(spec['replicas'], 1);
  const updated = num(st['updatedReplicas']);
  const total = num(st['replicas']);
  const available = num(st['availableReplicas']);
  const waiting = `Waiting for deployment "${name}" rollout to finish:`;
  if (updated < want) return { message: `${waiting} ${updated} out of ${want} new replicas have been updated...`, done: false };
  if (total > updated) return { message: `${waiting} ${total - updated} old replicas are pending termination...`, done: false };
  if (available < updated) return { message: `${waiting} ${available} of ${updated} updated replicas are available...`, done: false };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

async function one(ctx: CommandContext, client: Client, t: RolloutTarget, namespace: string): Promise<void> {
  const rc = client.resource(t.rt);
  const first = await rc.get(t.name, { namespace }); // NotFound surfaces as the server's error
  const watch = ctx.args.bool('watch');
  const timeoutMs = parseDuration(ctx.args.string('timeout') ?? '0');
  if (!watch) {
    const s = deploymentRolloutState(first);
    if (s.error) throw new CliError(s.error);
    ctx.io.out(`${s.message}\n`);
    return;
  }
  const ac = new AbortController();
  const timer = timeoutMs > 0 ? setTimeout(() => ac.abort(), timeoutMs) : undefined;
  let last = '';
  let outcome: { done: true } | { error: string } | undefined;
  try {
    await follow(client, { rt: t.rt, namespace, name: t.name, uid: first.metadata.uid ?? '' }, {
      signal: ac.signal,
      check: (obj) => {
        if (!obj) {
          outcome = { error: 'object has been deleted' };
          return true;
        }
        const s = deploymentRolloutState(obj);
        if (s.error) outcome = { error: s.error };
        else if (s.message !== last) ctx.io.out(`${s.message}\n`);
        last = s.message;
        if (s.done) outcome = { done: true };
        return outcome !== undefined;
      },
    });
  } finally {
    clearTimeout(timer);
  }
  if (!outcome) throw new CliError('timed out waiting for the condition');
  if ('error' in outcome) throw new CliError(outcome.error);
}

export async function status(ctx: CommandContext, targets: readonly RolloutTarget[]): Promise<number> {
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  return forEachTarget(ctx, targets, (t) => one(ctx, client, t, namespace));
}
