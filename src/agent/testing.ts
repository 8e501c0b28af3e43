// Test helpers for the agent: pods, a recording API edge and event recorder, and a sync context over a
// FakeRuntime and FakeClock. Used by the *.test.ts files here; not by product code.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecorder, EventType } from '../client/events.js';
import type { KubeObject } from '../api/meta.js';
import { FakeClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { ProbeManager, type ProbeRunner } from './probes.js';
import { FakeRuntime } from './runtime/fake.js';
import { RuntimePodCache } from './podcache.js';
import { newPodSyncState, syncPod, type PodApi, type PodSyncState, type SyncContext, type SyncResult } from './sync.js';
import type { ConfigMap, Container, Pod, PodSpec, PodStatus, Secret } from './types.js';
import { VolumeManager } from './volumes.js';

let uidSeq = 0;

export function makePod(name: string, spec: Partial<PodSpec> & { containers?: Container[] } = {}, meta: Partial<Pod['metadata']> = {}): Pod {
  uidSeq++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}-${uidSeq}`, resourceVersion: '1', ...meta },
    spec: {
      nodeName: 'node-1',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'main', image: 'busybox:1.36' }],
      ...spec,
    },
    status: { phase: 'Pending' },
  };
}

export interface RecordedEvent {
  object: string;
  type: EventType;
  reason: string;
  message: string;
}

export class RecordingRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object: obj.metadata.name ?? '', type, reason, message });
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

/** An in-memory API edge: status writes update the stored pod (new resourceVersion), deletes remove it. */
export class RecordingApi implements PodApi {
  readonly pods = new Map<string, Pod>();
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  readonly statusWrites: { uid: string; status: PodStatus }[] = [];
  readonly deletes: string[] = [];
  private rv = 100;

  put(pod: Pod): Pod {
    this.pods.set(pod.metadata.uid ?? '', pod);
    return pod;
  }
  get(uid: string): Pod | undefined {
    return this.pods.get(uid);
  }
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return Promise.resolve(this.configMaps.get(`${namespace}/${name}`));
  }
  getSecret(namespace: string, name: string): Promise<Secret | undefined> {
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }
  writeStatus(pod: Pod, status: PodStatus): Promise<Pod> {
    const uid = pod.metadata.uid ?? '';
    const cur = this.pods.get(uid);
    if (!cur) return Promise.reject(new Error('not found'));
    this.statusWrites.push({ uid, status: structuredClone(status) });
    const next: Pod = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) }, status: structuredClone(status) };
    this.pods.set(uid, next);
    return Promise.resolve(next);
  }
  deletePod(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    this.deletes.push(uid);
    this.pods.delete(uid);
    return Promise.resolve();
  }
  /** Marks a pod for graceful deletion, as the API server does. */
  markDeleted(uid: string, grace: number, now: number): void {
    const cur = this.pods.get(uid);
    if (!cur) return;
    this.pods.set(uid, {
      ...cur,
      metadata: {
        ...cur.metadata,
        resourceVersion: String(++this.rv),
        deletionTimestamp: new Date(now + grace * 1000).toISOString(),
        deletionGracePeriodSeconds: grace,
      },
    });
  }
}

export interface Harness {
  clock: FakeClock;
  runtime: FakeRuntime;
  api: RecordingApi;
  recorder: RecordingRecorder;
  probes: ProbeManager;
  ctx: SyncContext;
  states: Map<string, PodSyncState>;
  /**
   * One sync of the pod with this UID, reading the pod from the recording API. Tests change the fake runtime
   * behind the agent's back, so by default the pod cache is invalidated first, as the relist would; with
   * `{ relisted: false }` the sync reads whatever the cache kept.
   */
  sync(uid: string, opts?: { relisted?: boolean }): Promise<SyncResult>;
  /** Stops probe workers and removes the temporary root dir. */
  dispose(): void;
}

export function harness(opts: { images?: string[]; probeRunner?: ProbeRunner; rootDir?: string } = {}): Harness {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const rootDir = opts.rootDir ?? mkdtempSync(join(tmpdir(), 'minik8s-agent-test-'));
  const runtime = new FakeRuntime({ clock, images: opts.images ?? ['busybox:1.36'] });
  const api = new RecordingApi();
  const recorder = new RecordingRecorder();
  const states = new Map<string, PodSyncState>();
  const probes = new ProbeManager({
    clock,
    runner: opts.probeRunner ?? (() => Promise.resolve({ ok: true, message: '' })),
    recorder,
    onChange: () => undefined,
  });
  const ctx: SyncContext = {
    runtime,
    podCache: new RuntimePodCache(runtime),
    api,
    clock,
    recorder,
    logger: silentLogger,
    volumes: new VolumeManager(rootDir),
    probes,
    nodeName: 'node-1',
    hostIP: '192.168.1.10',
    runtimeName: 'docker',
    backoff: DEFAULT_BACKOFF,
  };
  const h: Harness = {
    clock,
    runtime,
    api,
    recorder,
    probes,
    ctx,
    states,
    async sync(uid, o = {}) {
      if (o.relisted !== false) ctx.podCache.invalidate(uid);
      let st = states.get(uid);
      if (!st) {
        st = newPodSyncState();
        states.set(uid, st);
      }
      const r = await syncPod(uid, api.get(uid), ctx, st);
      if (r.finished) states.delete(uid);
      return r;
    },
    dispose() {
      probes.stop();
      if (!opts.rootDir) rmSync(rootDir, { recursive: true, force: true });
    },
  };
  return h;
}
