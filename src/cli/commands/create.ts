// `mkctl create -f ...` (every object, in file order; one that exists already is an error) and
// `mkctl create namespace NAME`.

import type { KubeObject } from '../../api/meta.js';
import { UsageError } from '../args.js';
import { withLastApplied } from '../applypatch.js';
import { dryRunSuffix, type CommandContext } from '../context.js';
import { errorLine } from '../errors.js';
import { placeManifest, readManifests, type Manifest } from '../manifests.js';
import { formatObjects, nameOf, objectFormat } from '../output.js';

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const format = objectFormat(a.string('output'));
  const dryRun = ctx.dryRun();
  let manifests: Manifest[];
  const [what, name, ...extra] = a.positionals;
  if (what !== undefined) {
    if ((what !== 'namespace' && what !== 'ns') || !name || extra.length > 0) throw new UsageError('create takes -f FILE, or "namespace NAME"');
    if (a.strings('filename').length > 0) throw new UsageError('give either -f or "namespace NAME", not both');
    manifests = [{ obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, source: 'the command line', line: 1 }];
  } else {
    manifests = await readManifests(a.strings('filename'), { recursive: a.bool('recursive'), readStdin: () => ctx.io.readStdin() });
  }
  const client = await ctx.client();
  const defaultNamespace = await ctx.namespace();
  const placed = manifests.map((m) => placeManifest(m, { defaultNamespace, explicitNamespace: ctx.explicitNamespace, nameRequired: false }));
  let failed = 0;
  const created: KubeObject[] = [];
  for (const p of placed) {
    const body = a.bool('save-config') ? withLastApplied(p.obj) : p.obj;
    try {
      const obj =
        dryRun === 'client'
          ? body
          : await client.resource(p.rt).create(body, { ...(p.namespace ? { namespace: p.namespace } : {}), dryRun: dryRun === 'server' });
      created.push(obj);
      if (!format) ctx.io.out(`${nameOf(obj)} created${dryRunSuffix(dryRun)}\n`);
    } catch (e) {
      failed++;
      ctx.io.err(`${errorLine(e, `error when creating "${p.source}"`)}\n`);
    }
  }
  if (format && created.length > 0) ctx.io.out(await formatObjects(created, format, { single: created.length === 1 }));
  return failed > 0 ? 1 : 0;
}
