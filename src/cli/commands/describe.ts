// `mkctl describe KIND [NAME...]`: each object's important fields (per-kind describers in
// ../describers.ts), what it relates to (a deployment's replica sets, a node's pods, a service's
// endpoints), and the events about it.

import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { kindKey, lookupKind, type ResourceType } from '../../api/scheme.js';
import { formatSelector, selectorFromSpec } from '../../api/selector.js';
import type { Client } from '../../client/client.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';
import { describeObject, eventsSection, type Related } from '../describers.js';
import { errorLine } from '../errors.js';
import { parseTargets } from '../resources.js';

const kind = (apiVersion: string, k: string): ResourceType => lookupKind(apiVersion, k) as ResourceType;

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const targets = parseTargets(a.positionals);
  const allNs = a.bool('all-namespaces');
  if (allNs && targets.some((t) => t.names.length > 0)) throw new UsageError('a resource cannot be described by name across all namespaces');
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  const out: string[] = [];
  let failed = 0;
  for (const t of targets) {
    const rc = client.resource(t.rt);
    const ns = t.rt.namespaced ? namespace : undefined;
    let objs: KubeObject[] = [];
    if (t.names.length > 0) {
      for (const name of t.names) {
        try {
          objs.push(await rc.get(name, ns ? { namespace: ns } : {}));
        } catch (e) {
          if (!isApiError(e, 'NotFound')) throw e;
          failed++;
          ctx.io.err(`${errorLine(e)}\n`);
        }
      }
    } else {
      objs = (await rc.list({ ...(ns && !allNs ? { namespace: ns } : {}), labelSelector: a.string('selector') })).items;
    }
    for (const obj of objs) out.push(await describeOne(client, t.rt, obj, { events: a.bool('show-events') }));
  }
  if (out.length === 0 && failed === 0) ctx.io.err(`No resources found in ${namespace} namespace.\n`);
  ctx.io.out(out.join('\n\n'));
  return failed > 0 ? 1 : 0;
}

function selectorQuery(obj: KubeObject): string | undefined {
  const spec = obj.spec as { selector?: unknown } | undefined;
  try {
    return formatSelector(selectorFromSpec(spec?.selector as never)) || undefined;
  } catch {
    return undefined;
  }
}

/** Related objects are best effort: describe still shows the object when they cannot be read. */
async function related(client: Client, rt: ResourceType, obj: KubeObject): Promise<Related> {
  const rel: Related = { now: Date.now() };
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name ?? '';
  try {
    switch (kindKey(rt)) {
      case 'apps/v1/Deployment': {
        const sel = selectorQuery(obj);
        if (sel) rel.replicaSets = (await client.resource(kind('apps/v1', 'ReplicaSet')).list({ ...(ns ? { namespace: ns } : {}), labelSelector: sel })).items;
        break;
      }
      case 'apps/v1/ReplicaSet':
      case 'batch/v1/Job': {
        const sel = selectorQuery(obj);
        if (sel) rel.pods = (await client.resource(kind('v1', 'Pod')).list({ ...(ns ? { namespace: ns } : {}), labelSelector: sel })).items;
        break;
      }
      case 'v1/Service':
        rel.endpoints = await client.resource(kind('v1', 'Endpoints')).get(name, ns ? { namespace: ns } : {});
        break;
      case 'v1/Node':
        rel.pods = (
          await client.resource(kind('v1', 'Pod')).list({ fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` })
        ).items;
        break;
    }
  } catch {
    // not there (a service without endpoints yet): leave it out
  }
  return rel;
}

async function describeOne(client: Client, rt: ResourceType, obj: KubeObject, opts: { events: boolean }): Promise<string> {
  const rel = await related(client, rt, obj);
  const doc = describeObject(kindKey(rt), obj, { ...rel, namespaced: rt.namespaced });
  if (opts.events) {
    const fields = [`involvedObject.name=${obj.metadata.name ?? ''}`, ...(obj.metadata.uid ? [`involvedObject.uid=${obj.metadata.uid}`] : [])];
    const ns = obj.metadata.namespace;
    if (ns) fields.push(`involvedObject.namespace=${ns}`);
    else fields.push(`involvedObject.kind=${rt.kind}`);
    const events = (await client.resource(kind('v1', 'Event')).list({ ...(ns ? { namespace: ns } : {}), fieldSelector: fields.join(',') })).items;
    eventsSection(doc, events, rel.now);
  }
  return doc.render();
}
