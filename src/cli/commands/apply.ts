// `mkctl apply -f`: client-side apply, interchangeable with kubectl's (see ../applypatch.ts). Per object,
// in file order: GET; absent → create with the last-applied annotation; present → three-way patch, or
// nothing when it would be empty. Reports `created`, `configured` or `unchanged`; errors are reported per
// object and the others still apply. `--wait` then waits until the applied objects are ready.

import { ApiError, isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { kindKey } from '../../api/scheme.js';
import type { Client } from '../../client/client.js';
import { lastApplied, threeWayPatch, withLastApplied } from '../applypatch.js';
import { dryRunSuffix, type CommandContext, type DryRun } from '../context.js';
import { errorLine } from '../errors.js';
import { placeManifest, readManifests, type Placed } from '../manifests.js';
import { formatObjects, objectFormat } from '../output.js';
import { objectRef } from '../resources.js';
import { parseDuration, waitForReady, type ObjectKey, type Readiness } from '../wait.js';

type Outcome = 'created' | 'configured' | 'unchanged';

const CONFLICT_RETRIES = 5;

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const format = objectFormat(a.string('output'));
  const dryRun = ctx.dryRun();
  const wait = a.bool('wait');
  const timeoutMs = parseDuration(a.string('timeout') ?? '5m');
  const manifests = await readManifests(a.strings('filename'), { recursive: a.bool('recursive'), readStdin: () => ctx.io.readStdin() });
  const client = await ctx.client();
  const defaultNamespace = await ctx.namespace();
  const placed = manifests.map((m) => placeManifest(m, { defaultNamespace, explicitNamespace: ctx.explicitNamespace, nameRequired: true }));

  let failed = 0;
  const results: KubeObject[] = [];
  const applied: ObjectKey[] = [];
  for (const p of placed) {
    try {
      const { outcome, obj } = await applyOne(client, p, { dryRun, warn: (text) => ctx.io.err(`Warning: ${text}\n`) });
      results.push(obj);
      applied.push({ rt: p.rt, namespace: p.namespace, name: p.name });
      if (!format) ctx.io.out(`${objectRef(p.rt, p.name)} ${outcome}${dryRunSuffix(dryRun)}\n`);
    } catch (e) {
      failed++;
      const verb = e instanceof ApplyError ? e.verb : 'applying';
      ctx.io.err(`${errorLine(e instanceof ApplyError ? e.cause : e, `error when ${verb} "${p.source}"`)}\n`);
    }
  }
  if (format && results.length > 0) ctx.io.out(await formatObjects(results, format, { single: results.length === 1 }));
  if (wait && dryRun === 'none' && applied.length > 0) await waitReady(ctx, client, applied, { timeoutMs, quiet: format !== undefined });
  return failed > 0 ? 1 : 0;
}

/** Keeps which step failed, for `error when creating "app.yaml": ...`. */
class ApplyError extends Error {
  constructor(
    readonly verb: 'creating' | 'patching' | 'retrieving current configuration of',
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

async function applyOne(client: Client, p: Placed, opts: { dryRun: DryRun; warn: (text: string) => void }): Promise<{ outcome: Outcome; obj: KubeObject }> {
  const rc = client.resource(p.rt);
  const scope = p.namespace === undefined ? {} : { namespace: p.namespace };
  const modified = withLastApplied(p.obj);
  for (let attempt = 0; ; attempt++) {
    let current: KubeObject | undefined;
    try {
      current = await rc.get(p.name, scope);
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw new ApplyError('retrieving current configuration of', e);
    }
    if (!current) {
      if (opts.dryRun === 'client') return { outcome: 'created', obj: modified };
      try {
        return { outcome: 'created', obj: await rc.create(modified, { ...scope, dryRun: opts.dryRun === 'server' }) };
      } catch (e) {
        // Created by someone else meanwhile: apply over it.
        if (isApiError(e, 'AlreadyExists') && attempt < CONFLICT_RETRIES) continue;
        throw new ApplyError('creating', e);
      }
    }
    const original = lastApplied(current);
    if (original === undefined && attempt === 0) {
      opts.warn(
        `${objectRef(p.rt, p.name)} is missing the kubectl.kubernetes.io/last-applied-configuration annotation, which apply needs; it was created with 'create' rather than 'apply'. The annotation is added now, but fields removed from the manifest later will stay.`,
      );
    }
    const { type, patch } = threeWayPatch(kindKey(p.rt), { original, modified, current });
    if (Object.keys(patch).length === 0) return { outcome: 'unchanged', obj: current };
    if (opts.dryRun === 'client') return { outcome: 'configured', obj: current };
    try {
      const obj = await rc.patch(p.name, type, patch, { ...scope, fieldManager: 'kubectl-client-side-apply', dryRun: opts.dryRun === 'server' });
      return { outcome: 'configured', obj };
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'Conflict' && attempt < CONFLICT_RETRIES) continue;
      throw new ApplyError('patching', e);
    }
  }
}

async function waitReady(ctx: CommandContext, client: Client, keys: ObjectKey[], opts: { timeoutMs: number; quiet: boolean }): Promise<void> {
  const live = ctx.io.stderrIsTTY;
  const states = new Map<ObjectKey, Readiness>();
  const render = (): void => {
    const waiting = keys.filter((k) => !states.get(k)?.ready);
    const shown = waiting.slice(0, 3).map((k) => `${objectRef(k.rt, k.name)} ${states.get(k)?.detail ?? 'waiting'}`);
    const more = waiting.length > 3 ? `, +${waiting.length - 3} more` : '';
    ctx.io.err(`\r\x1b[K${waiting.length === 0 ? `all ${keys.length} ready` : `waiting for ${waiting.length} of ${keys.length}: ${shown.join(', ')}${more}`}`);
  };
  try {
    await waitForReady(client, keys, {
      timeoutMs: opts.timeoutMs,
      onChange: (k, r) => {
        states.set(k, r);
        if (r.ready && !opts.quiet && !live) ctx.io.out(`${objectRef(k.rt, k.name)} ready\n`);
        if (live) render();
      },
    });
    if (live) ctx.io.err('\n');
    if (live && !opts.quiet) for (const k of keys) ctx.io.out(`${objectRef(k.rt, k.name)} ready\n`);
  } catch (e) {
    if (live) ctx.io.err('\n');
    throw e;
  }
}
