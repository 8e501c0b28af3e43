// `mkctl scale KIND NAME --replicas=N`: a merge patch of the scale subresource, as kubectl sends it.
// --current-replicas makes it conditional (the scale's resourceVersion guards against a race).

import type { KubeObject } from '../../api/meta.js';
import { isObject } from '../../api/meta.js';
import type { ResourceType } from '../../api/scheme.js';
import { UsageError } from '../args.js';
import { CliError, dryRunSuffix, type CommandContext } from '../context.js';
import { errorLine } from '../errors.js';
import { formatObjects, objectFormat } from '../output.js';
import { objectRef, parseTargets, resourceName } from '../resources.js';

function specReplicas(scale: KubeObject): number | undefined {
  const spec = scale.spec;
  return isObject(spec) && typeof spec['replicas'] === 'number' ? spec['replicas'] : undefined;
}

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const replicas = a.int('replicas');
  if (replicas === undefined || replicas < 0) throw new UsageError('--replicas=N is required (N ≥ 0)');
  const expected = a.int('current-replicas');
  const format = objectFormat(a.string('output'));
  const dryRun = ctx.dryRun();
  const targets = parseTargets(a.positionals);
  for (const t of targets) if (!t.rt.subresources.includes('scale')) throw new UsageError(`${resourceName(t.rt)} cannot be scaled (no scale subresource)`);
  const client = await ctx.client();
  const namespace = await ctx.namespace();

  const objects: { rt: ResourceType; name: string }[] = [];
  for (const t of targets) {
    if (t.names.length > 0) objects.push(...t.names.map((name) => ({ rt: t.rt, name })));
    else if (a.bool('all') || a.string('selector')) {
      const items = (await client.resource(t.rt).list({ namespace, labelSelector: a.string('selector') })).items;
      objects.push(...items.map((o) => ({ rt: t.rt, name: o.metadata.name ?? '' })));
    } else throw new UsageError(`name the ${t.rt.plural} to scale, or select them with -l or --all`);
  }

  let failed = 0;
  const results: KubeObject[] = [];
  for (const { rt, name } of objects) {
    const rc = client.resource(rt);
    try {
      const scale = await client.rest.json<KubeObject>({ path: rc.path(namespace, name, 'scale') });
      const current = specReplicas(scale);
      if (expected !== undefined && current !== expected)
        throw new CliError(`${objectRef(rt, name)}: expected ${expected} replicas, found ${current ?? 0}; not scaled`);
      const body = { spec: { replicas }, ...(expected !== undefined ? { metadata: { resourceVersion: scale.metadata.resourceVersion } } : {}) };
      if (dryRun !== 'client') await rc.patch(name, 'merge', body, { namespace, subresource: 'scale', dryRun: dryRun === 'server' });
      if (format) results.push(await rc.get(name, { namespace }));
      else ctx.io.out(`${objectRef(rt, name)} scaled${dryRunSuffix(dryRun)}\n`);
    } catch (e) {
      failed++;
      ctx.io.err(`${errorLine(e)}\n`);
    }
  }
  if (format && results.length > 0) ctx.io.out(await formatObjects(results, format, { single: results.length === 1 }));
  return failed > 0 ? 1 : 0;
}
