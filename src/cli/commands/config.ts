// `mkctl config view|get-contexts|current-context|use-context|set-context`: the kubeconfig mkctl uses
// (--kubeconfig, else the first existing file in $KUBECONFIG, else ~/.kube/config, else the local admin
// kubeconfig). Edits go through the YAML document, so comments and layout survive.

import { readFileSync, writeFileSync } from 'node:fs';
import { isObject } from '../../api/meta.js';
import { kubeconfigPath } from '../../client/kubeconfig.js';
import { UsageError } from '../args.js';
import { CliError, type CommandContext } from '../context.js';
import { alignRows, toJson, toYaml } from '../output.js';

type Obj = Record<string, unknown>;

interface Named {
  name: string;
  [field: string]: unknown;
}

function named(list: unknown): Named[] {
  return Array.isArray(list) ? list.filter((x): x is Named => isObject(x) && typeof x['name'] === 'string') : [];
}

const SECRET_DATA = ['certificate-authority-data', 'client-certificate-data', 'client-key-data'];

/** kubectl's view: certificates as DATA+OMITTED, tokens and passwords as REDACTED. */
function redact(cfg: Obj): Obj {
  const copy = structuredClone(cfg);
  for (const section of ['clusters', 'users']) {
    for (const entry of named(copy[section])) {
      const body = entry[section === 'clusters' ? 'cluster' : 'user'];
      if (!isObject(body)) continue;
      for (const k of SECRET_DATA) if (typeof body[k] === 'string') body[k] = 'DATA+OMITTED';
      for (const k of ['token', 'password']) if (typeof body[k] === 'string') body[k] = 'REDACTED';
    }
  }
  return copy;
}

function minify(cfg: Obj, context: string): Obj {
  const ctx = named(cfg['contexts']).find((c) => c.name === context);
  if (!ctx) throw new CliError(`cannot minify: context "${context}" not found`);
  const body = isObject(ctx['context']) ? ctx['context'] : {};
  return {
    ...cfg,
    'current-context': context,
    contexts: [ctx],
    clusters: named(cfg['clusters']).filter((c) => c.name === body['cluster']),
    users: named(cfg['users']).filter((u) => u.name === body['user']),
  };
}

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const [sub, ...args] = a.positionals;
  const path = kubeconfigPath(a.string('kubeconfig'));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`cannot read the kubeconfig ${path}; pass --kubeconfig or set KUBECONFIG`);
  }
  const YAML = await import('yaml');
  const doc = YAML.parseDocument(text);
  if (doc.errors[0]) throw new CliError(`${path}: ${doc.errors[0].message.split('\n')[0] ?? ''}`);
  const cfg: Obj = isObject(doc.toJS()) ? (doc.toJS() as Obj) : {};
  const current = typeof cfg['current-context'] === 'string' ? cfg['current-context'] : '';
  const contexts = named(cfg['contexts']);
  const save = (): void => writeFileSync(path, String(doc));

  switch (sub) {
    case 'view': {
      let view = a.bool('minify') ? minify(cfg, a.string('context') || current) : cfg;
      if (!a.bool('raw')) view = redact(view);
      const output = a.string('output') ?? 'yaml';
      if (output !== 'yaml' && output !== 'json') throw new UsageError('config view prints yaml or json');
      ctx.io.out(output === 'json' ? toJson(view) : await toYaml(view));
      return 0;
    }
    case 'current-context':
      if (!current) throw new CliError('current-context is not set');
      ctx.io.out(`${current}\n`);
      return 0;
    case 'get-contexts': {
      const shown = args.length ? contexts.filter((c) => args.includes(c.name)) : contexts;
      const missing = args.filter((n) => !contexts.some((c) => c.name === n));
      if (a.string('output') === 'name') ctx.io.out(shown.map((c) => `${c.name}\n`).join(''));
      else {
        const rows = shown.map((c) => {
          const body: Obj = isObject(c['context']) ? c['context'] : {};
          const str = (k: string): string => (typeof body[k] === 'string' ? body[k] : '');
          return [c.name === current ? '*' : '', c.name, str('cluster'), str('user'), str('namespace')];
        });
        ctx.io.out(alignRows(a.bool('no-headers') ? rows : [['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'], ...rows]));
      }
      if (missing.length) throw new CliError(`context ${missing.map((m) => `"${m}"`).join(', ')} not found in ${path}`);
      return 0;
    }
    case 'use-context': {
      const [name] = args;
      if (!name || args.length > 1) throw new UsageError('use-context takes one context name');
      if (!contexts.some((c) => c.name === name)) throw new CliError(`no context exists with the name: "${name}" (see 'mkctl config get-contexts')`);
      doc.set('current-context', name);
      save();
      ctx.io.out(`Switched to context "${name}".\n`);
      return 0;
    }
    case 'set-context': {
      const name = a.bool('current') ? current : args[0];
      if (!name) throw new UsageError('set-context needs a context name, or --current');
      const changes: [string, string | undefined][] = [
        ['namespace', a.string('namespace')],
        ['cluster', a.string('cluster')],
        ['user', a.string('user')],
      ];
      const index = contexts.findIndex((c) => c.name === name);
      const seq = doc.get('contexts');
      if (index === -1) {
        const body: Obj = {};
        for (const [k, v] of changes) if (v !== undefined) body[k] = v;
        if (YAML.isSeq(seq)) seq.add(doc.createNode({ name, context: body }));
        else doc.set('contexts', [{ name, context: body }]);
      } else {
        // The position in the file's sequence (entries without a name are skipped by `named`).
        const items = YAML.isSeq(seq) ? seq.items : [];
        const at = items.findIndex((it) => YAML.isMap(it) && it.get('name') === name);
        for (const [k, v] of changes) if (v !== undefined) doc.setIn(['contexts', at, 'context', k], v);
      }
      save();
      ctx.io.out(`Context "${name}" ${index === -1 ? 'created' : 'modified'}.\n`);
      return 0;
    }
    default:
      throw new UsageError(
        sub ? `unknown config subcommand "${sub}"` : 'config needs a subcommand: view, get-contexts, current-context, use-context or set-context',
      );
  }
}
