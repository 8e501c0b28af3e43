// `mkctl patch KIND NAME -p PATCH [--type strategic|merge|json]`: GET (so a missing object fails
// clearly and an unchanged one reads `patched (no change)`), then PATCH. --dry-run=client applies the
// patch locally with the server's own pure patch functions.

import type { KubeObject } from '../../api/meta.js';
import { kindKey } from '../../api/scheme.js';
import type { PatchType } from '../../client/client.js';
import { readFileSync } from 'node:fs';
import { UsageError } from '../args.js';
import { CliError, dryRunSuffix, type CommandContext } from '../context.js';
import { formatObjects, objectFormat } from '../output.js';
import { objectRef, parseTargets } from '../resources.js';

const TYPES: readonly string[] = ['strategic', 'merge', 'json'];

/** The patch text as JSON, or as YAML (which kubectl accepts too). */
export async function parsePatchText(text: string, source: string): Promise<unknown> {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const { parse } = await import('yaml');
    try {
      return parse(text) as unknown;
    } catch (e) {
      throw new CliError(`${source} is neither JSON nor YAML: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`);
    }
  }
}

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const format = objectFormat(a.string('output'));
  const type = a.string('type') ?? 'strategic';
  if (!TYPES.includes(type)) throw new UsageError(`--type must be strategic, merge or json, not "${type}"`);
  const targets = parseTargets(a.positionals);
  const target = targets[0];
  if (targets.length !== 1 || target?.names.length !== 1) throw new UsageError('patch takes exactly one object: KIND NAME or KIND/NAME');
  const name = target.names[0] as string;
  const inline = a.string('patch');
  const file = a.string('patch-file');
  if ((inline === undefined) === (file === undefined)) throw new UsageError('give the patch with -p PATCH or --patch-file FILE (one of them)');
  let text: string;
  try {
    text = inline ?? readFileSync(file as string, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const body = await parsePatchText(text, inline !== undefined ? 'the patch' : (file as string));
  if (type === 'json' ? !Array.isArray(body) : typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CliError(
      type === 'json'
        ? 'a json patch is a list of operations: [{"op":"replace","path":"/spec/replicas","value":3}]'
        : `a ${type} patch is an object: {"spec":{"replicas":3}}`,
    );
  }
  const subresource = a.string('subresource');
  if (subresource !== undefined && !(target.rt.subresources as readonly string[]).includes(subresource))
    throw new UsageError(`${target.rt.plural} have no ${subresource} subresource`);
  const dryRun = ctx.dryRun();
  const client = await ctx.client();
  const scope = target.rt.namespaced ? { namespace: await ctx.namespace() } : {};
  const rc = client.resource(target.rt);
  const before: KubeObject =
    subresource === 'scale' ? await client.rest.json<KubeObject>({ path: rc.path(scope.namespace, name, 'scale') }) : await rc.get(name, scope);
  let after: KubeObject;
  if (dryRun === 'client') {
    const { applyPatch } = await import('../../apiserver/patch/index.js');
    after = applyPatch({ type: type as 'strategic', kindKey: kindKey(target.rt), original: before, patch: body }) as KubeObject;
  } else {
    after = await rc.patch(name, type as PatchType, body, {
      ...scope,
      ...(subresource ? { subresource } : {}),
      fieldManager: 'kubectl-patch',
      dryRun: dryRun === 'server',
    });
  }
  if (format) ctx.io.out(await formatObjects([after], format, { single: true }));
  else {
    const unchanged =
      dryRun === 'client' ? JSON.stringify(after) === JSON.stringify(before) : after.metadata.resourceVersion === before.metadata.resourceVersion;
    ctx.io.out(`${objectRef(target.rt, name)} patched${unchanged ? ' (no change)' : ''}${dryRunSuffix(dryRun)}\n`);
  }
  return 0;
}
