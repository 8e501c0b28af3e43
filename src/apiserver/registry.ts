// Generic storage operations for every kind: create, get, list, update (optimistic
// concurrency), patch, delete (graceful deletion and finalizers). HTTP lives in handlers.ts;
// this file knows objects, keys and revisions only.

import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../api/meta.js';
import { isObject } from '../api/meta.js';
import { ApiError, errors } from '../api/errors.js';
import { kindKey, lookupResource, type ResourceType } from '../api/scheme.js';
import { isStoreError, type Store, type KeyValue } from '../storage/store.js';
import { applyPatch, type PatchType } from './patch/index.js';
import { checkDelete, prepareForCreate, prepareForUpdate, sameObject, specFinalizersPending, validate } from './strategy.js';
import { objectKey } from './keys.js';
import type { Clock } from '../util/clock.js';
import type { Claim, ServiceAllocator } from './allocator/service.js';

const NAMESPACES = lookupResource('', 'v1', 'namespaces') as ResourceType;
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export interface WriteOptions {
  dryRun?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  /** The object as it stands after the call: gone (finished) or marked for deletion. */
  obj: KubeObject;
  finished: boolean;
}

export function decodeKv(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

function encode(obj: KubeObject): string {
  const m = { ...obj.metadata };
  delete m.resourceVersion;
  return JSON.stringify({ ...obj, metadata: m });
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const SERVICE_KIND = 'v1/Service';

export class Registry {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: { services?: ServiceAllocator } = {},
  ) {}

  now(): string {
    return rfc3339(this.clock.now());
  }

  async get(rt: ResourceType, ns: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(objectKey(rt, ns, name));
    if (!kv) throw errors.notFound(rt.plural, rt.group, name);
    return decodeKv(kv);
  }

  async create(rt: ResourceType, ns: string | undefined, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const obj = structuredClone(body);
    if (!isObject(obj.metadata)) obj.metadata = {};
    const m = obj.metadata;
    if (rt.namespaced) {
      if (m.namespace !== undefined && ns !== undefined && m.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      m.namespace = ns ?? m.namespace ?? 'default';
      await this.checkNamespaceOpen(m.namespace);
    }
    const generated = !m.name && typeof m.generateName === 'string' && m.generateName !== '';
    if (generated) m.name = m.generateName + randomSuffix();
    prepareForCreate(rt, obj, this.now(), randomUUID());
    const errs = validate(rt, obj);
    if (errs.length) throw errors.invalid(rt.kind, rt.group, String(m.name ?? ''), errs);
    const name = m.name as string;
    if (opts.dryRun) {
      const existing = await this.store.get(objectKey(rt, m.namespace, name));
      if (existing) throw errors.alreadyExists(rt.plural, rt.group, name);
      return obj;
    }
    const claim = this.opts.services && kindKey(rt) === SERVICE_KIND ? await this.opts.services.create(obj) : undefined;
    try {
      const rev = await this.store.create(objectKey(rt, m.namespace, name), encode(obj));
      obj.metadata.resourceVersion = String(rev);
      return obj;
    } catch (e) {
      await claim?.rollback();
      if (isStoreError(e, 'KeyExists')) throw errors.alreadyExists(rt.plural, rt.group, name);
      throw e;
    }
  }

  /**
   * Read-modify-write with optimistic concurrency. `mutate` gets the current object and returns
   * the desired one; it may throw. A client-supplied resourceVersion that no longer matches is a
   * 409; without one, a concurrent write is retried against the fresh object.
   */
  async update(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    mutate: (cur: KubeObject) => KubeObject,
    opts: WriteOptions & { subresource?: 'status' | 'finalize'; create?: (() => Promise<KubeObject>) | undefined } = {},
  ): Promise<{ obj: KubeObject; created: boolean }> {
    const key = objectKey(rt, ns, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) {
        if (opts.create) return { obj: await opts.create(), created: true };
        throw errors.notFound(rt.plural, rt.group, name);
      }
      const cur = decodeKv(kv);
      const desired = mutate(structuredClone(cur));
      if (!isObject(desired) || !isObject(desired.metadata)) throw errors.badRequest('the object must have metadata');
      const wantRv = desired.metadata.resourceVersion;
      if (wantRv !== undefined && wantRv !== '' && wantRv !== cur.metadata.resourceVersion) {
        throw errors.conflict(rt.plural, rt.group, name);
      }
      if (desired.metadata.name !== undefined && desired.metadata.name !== name) {
        throw errors.badRequest(`the name of the object (${JSON.stringify(desired.metadata.name)}) does not match the name on the URL (${name})`);
      }
      const next = prepareForUpdate(rt, cur, desired, opts.subresource);
      const allocates = this.opts.services !== undefined && kindKey(rt) === SERVICE_KIND && opts.subresource === undefined;
      if (allocates) this.opts.services?.keep(cur, next);
      const errs = validate(rt, next);
      if (errs.length) throw errors.invalid(rt.kind, rt.group, name, errs);
      if (sameObject(cur, next)) return { obj: cur, created: false };
      if (opts.dryRun) return { obj: next, created: false };
      // Removing the last finalizer of an object being deleted completes the deletion.
      const finish = next.metadata.deletionTimestamp !== undefined && !next.metadata.finalizers?.length && !this.gracePending(rt, next) && !specFinalizersPending(rt, next);
      let claim: Claim | undefined;
      try {
        if (finish) {
          const rev = await this.store.delete(key, kv.modRevision);
          next.metadata.resourceVersion = String(rev);
          if (kindKey(rt) === SERVICE_KIND) await this.opts.services?.release(cur);
        } else {
          if (allocates) claim = await this.opts.services?.update(cur, next);
          const rev = await this.store.update(key, encode(next), kv.modRevision);
          next.metadata.resourceVersion = String(rev);
          await claim?.commit();
        }
        return { obj: next, created: false };
      } catch (e) {
        await claim?.rollback();
        if (isStoreError(e, 'RevisionMismatch') || isStoreError(e, 'NotFound')) {
          if ((wantRv !== undefined && wantRv !== '') || attempt >= 20) throw errors.conflict(rt.plural, rt.group, name);
          continue;
        }
        throw e;
      }
    }
  }

  async patch(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    p: { type: PatchType; body: unknown },
    opts: WriteOptions & { subresource?: 'status' } = {},
  ): Promise<{ obj: KubeObject; created: boolean }> {
    const create =
      p.type === 'apply'
        ? async (): Promise<KubeObject> => {
            const applied = applyPatch({ type: 'apply', kindKey: kindKey(rt), original: undefined, patch: p.body }) as KubeObject;
            if (!isObject(applied) || !isObject(applied.metadata)) throw errors.badRequest('the applied object must have metadata');
            applied.metadata.name = name;
            return this.create(rt, ns, applied, opts);
          }
        : undefined;
    return this.update(
      rt,
      ns,
      name,
      (cur) => {
        const out = applyPatch({ type: p.type, kindKey: kindKey(rt), original: cur, patch: p.body }) as KubeObject;
        if (!isObject(out)) throw errors.badRequest('the patch produced an object that is not a JSON object');
        // A patch carries a resourceVersion only when the client asks for a precondition.
        const body = isObject(p.body) && isObject(p.body['metadata']) ? p.body['metadata'] : undefined;
        if (isObject(out.metadata) && (!body || body['resourceVersion'] === undefined)) out.metadata.resourceVersion = undefined;
        return out;
      },
      { ...opts, create },
    );
  }

  async delete(rt: ResourceType, ns: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const key = objectKey(rt, ns, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw errors.notFound(rt.plural, rt.group, name);
      const cur = decodeKv(kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw errors.conflict(rt.plural, rt.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw errors.conflict(rt.plural, rt.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion ?? ''}`);
      }
      checkDelete(rt, cur);
      const marked = this.markForDeletion(rt, cur, opts);
      try {
        if (marked) {
          if (opts.dryRun || sameObject(cur, marked)) return { obj: cur, finished: false };
          const rev = await this.store.update(key, encode(marked), kv.modRevision);
          marked.metadata.resourceVersion = String(rev);
          return { obj: marked, finished: false };
        }
        if (opts.dryRun) return { obj: cur, finished: true };
        const rev = await this.store.delete(key, kv.modRevision);
        cur.metadata.resourceVersion = String(rev);
        if (kindKey(rt) === SERVICE_KIND) await this.opts.services?.release(cur);
        return { obj: cur, finished: true };
      } catch (e) {
        if ((isStoreError(e, 'RevisionMismatch') || isStoreError(e, 'NotFound')) && attempt < 20) continue;
        throw e;
      }
    }
  }

  /** Returns the object marked as terminating, or undefined when it can be removed now. */
  private markForDeletion(rt: ResourceType, cur: KubeObject, opts: DeleteOptions): KubeObject | undefined {
    const m = cur.metadata;
    const grace = this.gracePeriod(rt, cur, opts);
    const finalizers = [...(m.finalizers ?? [])];
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (kindKey(rt) === 'v1/Namespace') {
      const spec = isObject(cur.spec) ? cur.spec : {};
      const nsFin = Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
      if (nsFin.length || finalizers.length) {
        const next = structuredClone(cur);
        next.metadata.deletionTimestamp ??= this.now();
        if (finalizers.length) next.metadata.finalizers = finalizers;
        next.status = { ...(isObject(cur.status) ? cur.status : {}), phase: 'Terminating' };
        return next;
      }
      return undefined;
    }
    if (!finalizers.length && grace === 0) return undefined;
    const next = structuredClone(cur);
    if (finalizers.length) next.metadata.finalizers = finalizers;
    if (grace > 0) {
      // Graceful pod deletion: the node agent stops the containers, then deletes with grace 0.
      const existing = m.deletionGracePeriodSeconds;
      if (existing === undefined || grace < existing) {
        next.metadata.deletionTimestamp = rfc3339(this.clock.now() + grace * 1000);
        next.metadata.deletionGracePeriodSeconds = grace;
      }
    } else if (m.deletionTimestamp === undefined || m.deletionGracePeriodSeconds) {
      next.metadata.deletionTimestamp ??= this.now();
      next.metadata.deletionGracePeriodSeconds = 0;
    }
    return next;
  }

  private gracePeriod(rt: ResourceType, cur: KubeObject, opts: DeleteOptions): number {
    if (kindKey(rt) !== 'v1/Pod') return 0;
    const spec = isObject(cur.spec) ? cur.spec : {};
    const status = isObject(cur.status) ? cur.status : {};
    // Unscheduled and finished pods have no containers to stop.
    if (!spec['nodeName'] || status['phase'] === 'Succeeded' || status['phase'] === 'Failed') return 0;
    if (opts.gracePeriodSeconds !== undefined) return Math.max(0, opts.gracePeriodSeconds);
    const g = spec['terminationGracePeriodSeconds'];
    return typeof g === 'number' ? g : 30;
  }

  private gracePending(rt: ResourceType, obj: KubeObject): boolean {
    return kindKey(rt) === 'v1/Pod' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  private async checkNamespaceOpen(ns: string): Promise<void> {
    const kv = await this.store.get(objectKey(NAMESPACES, undefined, ns));
    if (!kv) throw errors.notFound('namespaces', '', ns);
    const obj = decodeKv(kv);
    if (obj.metadata.deletionTimestamp) {
      throw new ApiError('Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`, {
        name: ns,
        kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}
