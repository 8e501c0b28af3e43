// Which pod and container `logs` and `exec` talk to, decided as kubectl decides it: `NAME` and `pod/NAME`
// name a pod; `deploy/NAME`, `rs/NAME`, `svc/NAME`, `job/NAME`… name the first pod their selector picks
// (running and ready ones first, then the oldest). The container is `-c`, else the pod's
// `kubectl.kubernetes.io/default-container` annotation, else its only container.

import { isObject, type KubeObject } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { formatSelector, selectorFromSpec, type LabelSelectorSpec } from '../../api/selector.js';
import type { Client } from '../../client/client.js';
import { CliError } from '../context.js';
import { kindOrThrow, objectRef } from '../resources.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export interface PodTarget {
  pod: KubeObject;
  name: string;
}

/** Resolves `NAME` or `KIND/NAME` to a pod; `note` receives kubectl's "Found N pods, using pod/X". */
export async function resolvePod(client: Client, ref: string, opts: { namespace: string; note: (line: string) => void }): Promise<PodTarget> {
  const slash = ref.indexOf('/');
  const rt = slash === -1 ? PODS : kindOrThrow(ref.slice(0, slash));
  const name = slash === -1 ? ref : ref.slice(slash + 1);
  if (name === '') throw new CliError(`there is no name in "${ref}": write POD or KIND/NAME`);
  const { namespace } = opts;
  if (rt === PODS) return { pod: await client.resource(PODS).get(name, { namespace }), name };

  const owner = await client.resource(rt).get(name, { namespace });
  const selector = selectorOf(owner);
  if (selector === undefined) throw new CliError(`cannot find the pods of ${objectRef(rt, name)}: it has no pod selector`);
  const pods = (await client.resource(PODS).list({ namespace, labelSelector: selector })).items;
  const [first] = [...pods].sort(mostActiveFirst);
  if (!first?.metadata.name) throw new CliError(`no pods of ${objectRef(rt, name)} found (selector ${selector})`);
  if (pods.length > 1) opts.note(`Found ${pods.length} pods, using pod/${first.metadata.name}\n`);
  return { pod: first, name: first.metadata.name };
}

/** `spec.selector` as a label selector string: a LabelSelector (deployments, jobs…) or a plain map (services). */
function selectorOf(obj: KubeObject): string | undefined {
  const spec = obj.spec;
  if (!isObject(spec) || !isObject(spec['selector'])) return undefined;
  const sel = spec['selector'];
  const asSpec: LabelSelectorSpec = 'matchLabels' in sel || 'matchExpressions' in sel ? sel : { matchLabels: sel as Record<string, string> };
  const text = formatSelector(selectorFromSpec(asSpec));
  return text === '' ? undefined : text;
}

function phaseRank(p: KubeObject): number {
  const phase = isObject(p.status) ? p.status['phase'] : undefined;
  return phase === 'Running' ? 0 : phase === 'Pending' ? 1 : 2;
}

function isReady(p: KubeObject): boolean {
  const conds = isObject(p.status) && Array.isArray(p.status['conditions']) ? (p.status['conditions'] as unknown[]) : [];
  return conds.some((c) => isObject(c) && c['type'] === 'Ready' && c['status'] === 'True');
}

function mostActiveFirst(a: KubeObject, b: KubeObject): number {
  return (
    phaseRank(a) - phaseRank(b) ||
    Number(isReady(b)) - Number(isReady(a)) ||
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
  );
}

export function containerNames(pod: KubeObject): string[] {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const list = Array.isArray(spec['containers']) ? (spec['containers'] as unknown[]) : [];
  return list.flatMap((c) => (isObject(c) && typeof c['name'] === 'string' ? [c['name']] : []));
}

/**
 * The container to name in the request: the explicit one, the annotated default, the only one; otherwise
 * `undefined` (logs: the server answers with the list to choose from) or, with `firstOtherwise`, the first
 * container with kubectl's `Defaulted container "a" out of: a, b` note (exec).
 */
export function pickContainer(
  pod: KubeObject,
  opts: { explicit: string | undefined; firstOtherwise?: boolean; note: (line: string) => void },
): string | undefined {
  if (opts.explicit) return opts.explicit;
  const names = containerNames(pod);
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated !== undefined) {
    if (names.includes(annotated)) return annotated;
    opts.note(
      `Warning: the default container "${annotated}" named by the ${DEFAULT_CONTAINER_ANNOTATION} annotation is not in pod ${pod.metadata.name ?? ''}\n`,
    );
  }
  if (names.length === 1) return names[0];
  if (opts.firstOtherwise && names[0] !== undefined) {
    opts.note(`Defaulted container "${names[0]}" out of: ${names.join(', ')}\n`);
    return names[0];
  }
  return undefined;
}
