// What users type to name objects, turned into kinds from the scheme table: `pods`, `po`, `deploy,svc`,
// `pod/web-1`, `deployments.apps/web`, `all`. Also the names mkctl prints: `deployment.apps/web`.

import { RESOURCES, resolveResource, type ResourceType } from '../api/scheme.js';
import { UsageError } from './args.js';
import { CliError } from './context.js';

export interface Target {
  rt: ResourceType;
  /** Empty: every object of the kind (subject to selectors). */
  names: string[];
}

export function kindOrThrow(name: string): ResourceType {
  const rt = resolveResource(name);
  if (!rt) throw new CliError(`the server doesn't have a resource type "${name}" (see 'mkctl api-resources')`);
  return rt;
}

/** `pod`, `deployment.apps`: the kind as kubectl prints it before `/name`. */
export function kindName(rt: Pick<ResourceType, 'kind' | 'group'>): string {
  return rt.group ? `${rt.kind.toLowerCase()}.${rt.group}` : rt.kind.toLowerCase();
}

/** `deployment.apps/web`. */
export function objectRef(rt: Pick<ResourceType, 'kind' | 'group'>, name: string): string {
  return `${kindName(rt)}/${name}`;
}

/** `pods`, `deployments.apps`: the resource as server messages name it. */
export function resourceName(rt: Pick<ResourceType, 'plural' | 'group'>): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

function kinds(word: string): ResourceType[] {
  const out: ResourceType[] = [];
  for (const part of word.split(',')) {
    if (part === '') continue;
    const list = part === 'all' ? RESOURCES.filter((r) => r.categories.includes('all')) : [kindOrThrow(part)];
    for (const rt of list) if (!out.includes(rt)) out.push(rt);
  }
  return out;
}

/**
 * `KIND[,KIND...] [NAME...]` or `KIND/NAME...` (kubectl's two forms; names may follow a single kind only).
 * `all` expands to the kinds in the `all` category.
 */
export function parseTargets(words: readonly string[]): Target[] {
  const [first, ...more] = words;
  if (first === undefined) throw new UsageError('you must specify the kind of object (for example: mkctl get pods); see mkctl api-resources');
  if (first.includes('/')) {
    const out: Target[] = [];
    for (const w of words) {
      const slash = w.indexOf('/');
      if (slash <= 0 || slash === w.length - 1) throw new UsageError(`there is no kind or name in "${w}": write KIND/NAME for every argument, or KIND NAME...`);
      const rt = kindOrThrow(w.slice(0, slash));
      const name = w.slice(slash + 1);
      const existing = out.find((t) => t.rt === rt);
      if (existing) existing.names.push(name);
      else out.push({ rt, names: [name] });
    }
    return out;
  }
  const rts = kinds(first);
  if (more.some((w) => w.includes('/'))) throw new UsageError('arguments in KIND/NAME form may not follow a bare KIND');
  if (rts.length > 1 && more.length > 0)
    throw new UsageError(`names can only follow a single kind; write KIND/NAME (${rts.map((r) => `${kindName(r)}/NAME`).join(', ')})`);
  return rts.map((rt) => ({ rt, names: [...more] }));
}
