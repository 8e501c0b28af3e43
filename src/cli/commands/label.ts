// `mkctl label` and `mkctl annotate` (one implementation; the command name picks the field):
// `KEY=VALUE` sets, `KEY-` removes; an existing key with another value needs --overwrite. Objects by
// name, KIND/NAME, -l or --all (nodes and other cluster-wide kinds too). Sends a JSON merge patch of
// metadata.labels / metadata.annotations, as kubectl does.

import type { KubeObject } from '../../api/meta.js';
import type { ResourceType } from '../../api/scheme.js';
import { UsageError } from '../args.js';
import { CliError, dryRunSuffix, type CommandContext } from '../context.js';
import { errorLine } from '../errors.js';
import { formatObjects, objectFormat } from '../output.js';
import { objectRef, parseTargets } from '../resources.js';

interface Changes {
  set: Map<string, string>;
  remove: string[];
}

function isChange(word: string): boolean {
  return word.includes('=') || (word.endsWith('-') && word.length > 1);
}

export function parseChanges(words: readonly string[]): Changes {
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) set.set(w.slice(0, eq), w.slice(eq + 1));
    else if (eq === -1 && w.endsWith('-')) remove.push(w.slice(0, -1));
    else throw new UsageError(`"${w}" is not KEY=VALUE or KEY-`);
  }
  for (const k of remove) if (set.has(k)) throw new UsageError(`can not both modify and remove "${k}" in the same command`);
  return { set, remove };
}

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const field = ctx.name === 'annotate' ? 'annotations' : 'labels';
  const noun = ctx.name === 'annotate' ? 'annotation' : 'label';
  const done = ctx.name === 'annotate' ? 'annotated' : 'labeled';
  const format = objectFormat(a.string('output'));
  const dryRun = ctx.dryRun();
  const firstChange = a.positionals.findIndex(isChange);
  const resourceWords = firstChange === -1 ? a.positionals : a.positionals.slice(0, firstChange);
  const changes = parseChanges(firstChange === -1 ? [] : a.positionals.slice(firstChange));
  const list = a.bool('list');
  if (!list && changes.set.size === 0 && changes.remove.length === 0) throw new UsageError(`give at least one ${noun} change: KEY=VALUE or KEY-`);
  const targets = parseTargets(resourceWords);
  const selector = a.string('selector');
  const all = a.bool('all');
  const client = await ctx.client();
  const namespace = await ctx.namespace();

  const objects: { rt: ResourceType; obj: KubeObject }[] = [];
  for (const t of targets) {
    const rc = client.resource(t.rt);
    const ns = t.rt.namespaced ? namespace : undefined;
    if (t.names.length > 0) {
      if (selector || all) throw new UsageError('names cannot be combined with -l or --all');
      for (const name of t.names) objects.push({ rt: t.rt, obj: await rc.get(name, ns ? { namespace: ns } : {}) });
    } else {
      if (!selector && !all) throw new UsageError(`name the ${t.rt.plural} to ${ctx.name}, or select them with -l or --all`);
      const items = (await rc.list({ ...(ns && !a.bool('all-namespaces') ? { namespace: ns } : {}), labelSelector: selector })).items;
      objects.push(...items.map((obj) => ({ rt: t.rt, obj })));
    }
  }

  let failed = 0;
  const results: KubeObject[] = [];
  for (const { rt, obj } of objects) {
    const name = obj.metadata.name ?? '';
    const current: Record<string, string> = (field === 'labels' ? obj.metadata.labels : obj.metadata.annotations) ?? {};
    if (list) {
      for (const [k, v] of Object.entries(current).sort(([x], [y]) => (x < y ? -1 : 1))) ctx.io.out(`${k}=${v}\n`);
      continue;
    }
    try {
      const delta: Record<string, string | null> = {};
      for (const [k, v] of changes.set) {
        if (current[k] === v) continue;
        if (current[k] !== undefined && !a.bool('overwrite')) throw new CliError(`'${k}' already has a value (${current[k]}), and --overwrite is false`);
        delta[k] = v;
      }
      for (const k of changes.remove) {
        if (current[k] === undefined) ctx.io.err(`${noun} "${k}" not found.\n`);
        else delta[k] = null;
      }
      if (Object.keys(delta).length === 0) {
        results.push(obj);
        if (!format) ctx.io.out(`${objectRef(rt, name)} not ${done}\n`);
        continue;
      }
      const rv = a.string('resource-version');
      const patch = { metadata: { [field]: delta, ...(rv ? { resourceVersion: rv } : {}) } };
      const scope = rt.namespaced ? { namespace: obj.metadata.namespace ?? namespace } : {};
      const after =
        dryRun === 'client'
          ? obj
          : await client.resource(rt).patch(name, 'merge', patch, { ...scope, fieldManager: `kubectl-${ctx.name}`, dryRun: dryRun === 'server' });
      results.push(after);
      if (!format) ctx.io.out(`${objectRef(rt, name)} ${done}${dryRunSuffix(dryRun)}\n`);
    } catch (e) {
      failed++;
      ctx.io.err(`${errorLine(e)}\n`);
    }
  }
  if (format && results.length > 0) ctx.io.out(await formatObjects(results, format, { single: results.length === 1 }));
  return failed > 0 ? 1 : 0;
}
