// `mkctl delete`: by name, KIND/NAME, -f manifests, -l / --field-selector, or --all; then waits until the
// objects are gone (a pod on a node, or an object with finalizers, lingers until released), unless
// --wait=false.

import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { isObject } from '../../api/meta.js';
import type { DeleteQuery } from '../../client/client.js';
import { UsageError } from '../args.js';
import { dryRunSuffix, type CommandContext } from '../context.js';
import { errorLine } from '../errors.js';
import { placeManifest, readManifests } from '../manifests.js';
import { kindName, parseTargets } from '../resources.js';
import { parseDuration, waitForDeletion, type ObjectKey } from '../wait.js';

const CASCADE: Record<string, DeleteQuery['propagationPolicy']> = {
  background: 'Background',
  true: 'Background',
  foreground: 'Foreground',
  orphan: 'Orphan',
  false: 'Orphan',
};

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const output = a.string('output');
  if (output !== undefined && output !== 'name') throw new UsageError(`delete prints names only: -o name, not "${output}"`);
  const dryRun = ctx.dryRun();
  const cascade = CASCADE[a.string('cascade') ?? 'background'];
  if (!cascade) throw new UsageError(`--cascade must be background, foreground or orphan, not "${a.string('cascade') ?? ''}"`);
  const timeoutMs = parseDuration(a.string('timeout') ?? '0');
  const grace = a.int('grace-period') ?? -1;
  const gracePeriodSeconds = a.bool('now') ? 1 : grace >= 0 ? grace : undefined;
  if (a.bool('force') && gracePeriodSeconds !== 0) throw new UsageError('--force needs --grace-period=0 (it removes pods without waiting for their node)');
  const files = a.strings('filename');
  const selector = a.string('selector');
  const fieldSelector = a.string('field-selector');
  const all = a.bool('all');
  const allNs = a.bool('all-namespaces');

  const client = await ctx.client();
  const namespace = await ctx.namespace();
  const keys: ObjectKey[] = [];
  if (files.length > 0) {
    if (a.positionals.length > 0) throw new UsageError('give either -f or kinds and names, not both');
    const manifests = await readManifests(files, { recursive: a.bool('recursive'), readStdin: () => ctx.io.readStdin() });
    for (const m of manifests) {
      const p = placeManifest(m, { defaultNamespace: namespace, explicitNamespace: ctx.explicitNamespace, nameRequired: true });
      keys.push({ rt: p.rt, namespace: p.namespace, name: p.name });
    }
  } else {
    const targets = parseTargets(a.positionals);
    for (const t of targets) {
      const ns = t.rt.namespaced ? namespace : undefined;
      if (t.names.length > 0) {
        if (all || selector || fieldSelector) throw new UsageError('names cannot be combined with --all, -l or --field-selector');
        for (const name of t.names) keys.push({ rt: t.rt, namespace: ns, name });
        continue;
      }
      if (!all && !selector && !fieldSelector) throw new UsageError(`name the ${t.rt.plural} to delete, or select them with -l, --field-selector or --all`);
      const list = await client.resource(t.rt).list({ ...(ns && !allNs ? { namespace: ns } : {}), labelSelector: selector, fieldSelector });
      for (const o of list.items) keys.push({ rt: t.rt, namespace: t.rt.namespaced ? (o.metadata.namespace ?? ns) : undefined, name: o.metadata.name ?? '' });
    }
  }
  if (keys.length === 0) {
    const namespaced = files.length === 0 && parseTargets(a.positionals).some((t) => t.rt.namespaced);
    ctx.io.err(namespaced && !allNs ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
    return 0;
  }

  let failed = 0;
  const waitFor: ObjectKey[] = [];
  for (const k of keys) {
    try {
      const rc = client.resource(k.rt);
      if (dryRun === 'client') {
        await rc.get(k.name, k.namespace ? { namespace: k.namespace } : {});
        ctx.io.out(output === 'name' ? `${kindName(k.rt)}/${k.name}\n` : `${kindName(k.rt)} "${k.name}" deleted${dryRunSuffix(dryRun)}\n`);
        continue;
      }
      const res = await rc.delete(k.name, {
        ...(k.namespace ? { namespace: k.namespace } : {}),
        propagationPolicy: cascade,
        ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
        dryRun: dryRun === 'server',
      });
      const uid = uidOf(res);
      waitFor.push({ ...k, ...(uid ? { uid } : {}) });
      ctx.io.out(output === 'name' ? `${kindName(k.rt)}/${k.name}\n` : `${kindName(k.rt)} "${k.name}" deleted${dryRunSuffix(dryRun)}\n`);
    } catch (e) {
      if (isApiError(e, 'NotFound') && a.bool('ignore-not-found')) continue;
      failed++;
      ctx.io.err(`${errorLine(e)}\n`);
    }
  }
  if (a.bool('wait') && dryRun === 'none' && waitFor.length > 0) await waitForDeletion(client, waitFor, { timeoutMs });
  return failed > 0 ? 1 : 0;
}

/** The uid of what was deleted: the object itself (still terminating, or as deleted) or a Status's details. */
function uidOf(res: KubeObject): string | undefined {
  if (res.kind === 'Status') {
    const details = res['details'];
    return isObject(details) && typeof details['uid'] === 'string' ? details['uid'] : undefined;
  }
  return res.metadata.uid;
}
