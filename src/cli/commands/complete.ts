// `mkctl __complete WORD... CURRENT` (hidden): the completion candidates for a half-typed command line,
// one per line, then `:N` (1 = let the shell complete file names, 2 = no space after). The command table
// says what each command's arguments and flag values are; kinds come from the scheme, and names of live
// objects, namespaces and contexts from the cluster and the kubeconfig. Failures print no candidates:
// a completion must never print errors into the user's command line.

import { RESOURCES, resolveResource, type ResourceType } from '../../api/scheme.js';
import type { FlagSpec, FlagSpecs, ValueHint } from '../args.js';
import type { ArgsHint, CommandContext, CommandTable } from '../context.js';

const FILES = 1;
const NO_SPACE = 2;

interface Answer {
  candidates: string[];
  directive: number;
}

interface Typed {
  verb: string | undefined;
  positionals: string[];
  flags: Map<string, string | true>;
  /** A value-taking flag typed last, whose value is the current word. */
  pending: FlagSpec | undefined;
}

function flagsFor(commands: CommandTable, globals: FlagSpecs, verb: string | undefined): FlagSpecs {
  const spec = verb !== undefined && Object.hasOwn(commands, verb) ? commands[verb] : undefined;
  return { ...globals, ...(spec?.flags ?? {}) };
}

/** Reads the words before the current one, tolerating unknown flags. */
export function readTyped(words: readonly string[], commands: CommandTable, globals: FlagSpecs): Typed {
  const t: Typed = { verb: undefined, positionals: [], flags: new Map(), pending: undefined };
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const specs = flagsFor(commands, globals, t.verb);
    const takesValue = (s: FlagSpec | undefined): boolean => s !== undefined && s.type !== 'bool' && s.bare === undefined;
    const valueFor = (name: string, spec: FlagSpec | undefined): void => {
      if (!takesValue(spec)) {
        t.flags.set(name, true);
        return;
      }
      if (i + 1 < words.length) t.flags.set(name, words[++i] as string);
      else t.pending = spec;
    };
    if (w === '--') {
      t.positionals.push(...words.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq === -1 ? undefined : eq);
      if (eq !== -1) t.flags.set(name, w.slice(eq + 1));
      else valueFor(name, specs[name]);
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let j = 1; j < w.length; j++) {
        const entry = Object.entries(specs).find(([, s]) => s.short === w[j]);
        if (!entry) break;
        const [name, spec] = entry;
        if (!takesValue(spec)) {
          t.flags.set(name, true);
          continue;
        }
        const attached = w.slice(j + 1).replace(/^=/, '');
        if (attached) t.flags.set(name, attached);
        else valueFor(name, spec);
        break;
      }
      continue;
    }
    if (t.verb === undefined) t.verb = w;
    else t.positionals.push(w);
  }
  return t;
}

function kindWords(): string[] {
  return RESOURCES.map((r) => r.plural);
}

async function withClient<T>(t: Typed, fn: (client: import('../../client/client.js').Client, namespace: string) => Promise<T>, fallback: T): Promise<T> {
  try {
    const { Client } = await import('../../client/client.js');
    const path = t.flags.get('kubeconfig');
    const context = t.flags.get('context');
    const client = Client.fromKubeconfig({ ...(typeof path === 'string' ? { path } : {}), ...(typeof context === 'string' ? { context } : {}) });
    try {
      const ns = t.flags.get('namespace');
      return await fn(client, typeof ns === 'string' && ns ? ns : client.namespace || 'default');
    } finally {
      client.close();
    }
  } catch {
    return fallback;
  }
}

async function liveNames(t: Typed, rt: ResourceType): Promise<string[]> {
  const allNs = t.flags.get('all-namespaces') === true || t.flags.get('all-namespaces') === 'true';
  return withClient(
    t,
    async (client, namespace) => {
      const list = await client.resource(rt).list({ ...(rt.namespaced && !allNs ? { namespace } : {}), limit: 1000, signal: AbortSignal.timeout(5000) });
      return [...new Set(list.items.map((o) => o.metadata.name ?? '').filter((n) => n))].sort();
    },
    [],
  );
}

async function contextNames(t: Typed): Promise<string[]> {
  try {
    const { kubeconfigPath } = await import('../../client/kubeconfig.js');
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const path = t.flags.get('kubeconfig');
    const cfg = parse(readFileSync(kubeconfigPath(typeof path === 'string' ? path : undefined), 'utf8')) as { contexts?: { name?: unknown }[] };
    return (cfg.contexts ?? []).map((c) => (typeof c.name === 'string' ? c.name : '')).filter((n) => n);
  } catch {
    return [];
  }
}

async function valueCandidates(hint: ValueHint | undefined, t: Typed): Promise<Answer> {
  if (hint === undefined) return { candidates: [], directive: 0 };
  if (hint === 'files') return { candidates: [], directive: FILES };
  if (hint === 'contexts') return { candidates: await contextNames(t), directive: 0 };
  if (hint === 'kinds') return { candidates: kindWords(), directive: 0 };
  if (hint === 'namespaces') {
    const ns = RESOURCES.find((r) => r.kind === 'Namespace');
    return { candidates: ns ? await liveNames({ ...t, flags: new Map([...t.flags].filter(([k]) => k !== 'namespace')) }, ns) : [], directive: 0 };
  }
  // Values ending in `=` (jsonpath=, custom-columns=) take more text after them.
  return { candidates: [...hint], directive: hint.some((v) => v.endsWith('=')) ? NO_SPACE : 0 };
}

async function resourceArgs(t: Typed, positionals: readonly string[], cur: string): Promise<Answer> {
  const slash = cur.indexOf('/');
  if (slash > 0) {
    const rt = resolveResource(cur.slice(0, slash));
    if (!rt) return { candidates: [], directive: 0 };
    return { candidates: (await liveNames(t, rt)).map((n) => `${cur.slice(0, slash)}/${n}`), directive: 0 };
  }
  const first = positionals[0];
  if (first === undefined) {
    // KIND, or KIND,KIND: complete the part after the last comma.
    const comma = cur.lastIndexOf(',');
    const head = comma === -1 ? '' : cur.slice(0, comma + 1);
    return { candidates: kindWords().map((k) => head + k), directive: 0 };
  }
  if (first.includes('/') || first.includes(',')) return { candidates: [], directive: 0 };
  const rt = resolveResource(first);
  if (!rt) return { candidates: [], directive: 0 };
  return { candidates: (await liveNames(t, rt)).filter((n) => !positionals.includes(n)), directive: 0 };
}

async function argCandidates(hint: ArgsHint, t: Typed, positionals: readonly string[], cur: string, commands: CommandTable): Promise<Answer> {
  if (hint === 'none') return { candidates: [], directive: 0 };
  if (hint === 'resources') return resourceArgs(t, positionals, cur);
  if (hint === 'verbs') return { candidates: positionals.length ? [] : visibleVerbs(commands), directive: 0 };
  if (hint === 'contexts') return { candidates: positionals.length ? [] : await contextNames(t), directive: 0 };
  if (Array.isArray(hint)) return { candidates: positionals.length ? [] : [...(hint as readonly string[])], directive: 0 };
  const subs = (hint as { subcommands: Readonly<Record<string, ArgsHint>> }).subcommands;
  const [sub, ...rest] = positionals;
  if (sub === undefined) return { candidates: Object.keys(subs), directive: 0 };
  const next = Object.hasOwn(subs, sub) ? subs[sub] : undefined;
  return next ? argCandidates(next, t, rest, cur, commands) : { candidates: [], directive: 0 };
}

function visibleVerbs(commands: CommandTable): string[] {
  return Object.entries(commands)
    .filter(([, c]) => !c.hidden)
    .map(([n]) => n);
}

/** The candidates for `words` (the last one is the word being completed, possibly empty). */
export async function complete(words: readonly string[], commands: CommandTable, globals: FlagSpecs): Promise<Answer> {
  const cur = words.at(-1) ?? '';
  const t = readTyped(words.slice(0, -1), commands, globals);
  const specs = flagsFor(commands, globals, t.verb);
  let answer: Answer;
  if (t.pending) answer = await valueCandidates(t.pending.values, t);
  else if (cur.startsWith('--') && cur.includes('=')) {
    const name = cur.slice(2, cur.indexOf('='));
    const a = await valueCandidates(Object.hasOwn(specs, name) ? specs[name]?.values : undefined, t);
    answer = { candidates: a.candidates.map((v) => `--${name}=${v}`), directive: a.directive };
  } else if (cur.startsWith('-')) {
    const longs = Object.keys(specs).map((n) => `--${n}`);
    const shorts = cur.startsWith('--') ? [] : Object.values(specs).flatMap((s) => (s.short ? [`-${s.short}`] : []));
    answer = { candidates: [...longs, ...shorts], directive: 0 };
  } else if (t.verb === undefined) answer = { candidates: visibleVerbs(commands), directive: 0 };
  else {
    const spec = Object.hasOwn(commands, t.verb) ? commands[t.verb] : undefined;
    answer = spec ? await argCandidates(spec.args, t, t.positionals, cur, commands) : { candidates: [], directive: 0 };
  }
  if (answer.directive & FILES) return answer;
  return { candidates: answer.candidates.filter((c) => c.startsWith(cur)), directive: answer.directive };
}

export async function run(ctx: CommandContext): Promise<number> {
  const words = ctx.raw.length ? ctx.raw : [''];
  const answer = await complete(words, ctx.commands, ctx.globals);
  ctx.io.out(`${answer.candidates.map((c) => `${c}\n`).join('')}:${answer.directive}\n`);
  return 0;
}
