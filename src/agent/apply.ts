// Applies a pod sync's decision to the runtime: kills, removals, the sandbox, then pulls and starts (with
// volumes, environment and resources resolved at start time), recording Events and failed starts. Called by
// syncPod (sync.ts); the decision itself is decide.ts.

import type { ContainerStatus, ContainerConfig, PodRef, Sandbox, SandboxConfig } from './runtime/runtime.js';
import { RuntimeError } from './runtime/runtime.js';
import { nextFailure } from './backoff.js';
import { NODE_NAME_LABEL, SANDBOX_ID_LABEL, type Action, type Decision, type Waiting } from './decide.js';
import { expandCommand, referencedObjects, resolveEnv } from './env.js';
import { containerHash } from './hash.js';
import { podDNS } from './dns.js';
import { podRef } from './probes.js';
import { milliCPU, cpuSharesFor, units } from '../api/quantity.js';
import type { PodSyncState, SyncContext } from './sync.js';
import { containersOf, type ConfigMap, type Container, type Pod, type Secret } from './types.js';
import type { VolumeResult } from './volumes.js';

function isNotFound(e: unknown): boolean {
  return e instanceof RuntimeError && e.reason === 'NotFound';
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface ApplyScope {
  uid: string;
  pod: Pod | undefined;
  ref: PodRef;
  view: { sandboxes: Sandbox[]; containers: ContainerStatus[] };
  ctx: SyncContext;
  state: PodSyncState;
}

export interface ApplyOutcome {
  /** Containers whose pull or start failed in this sync, with their waiting reason. */
  failed: Map<string, Waiting>;
}

/**
 * Applies a decision in order. Kills run concurrently (each waits out its grace), and so do the starts of
 * different containers; a failed kill, removal or sandbox operation stops the sync (it is retried with
 * back-off), while a failed pull or start only holds back that container (recorded as a start failure).
 */
export async function applyActions(decision: Decision, scope: ApplyScope): Promise<ApplyOutcome> {
  const { ctx, pod } = scope;
  const failed = new Map<string, Waiting>();
  const event = (type: 'Normal' | 'Warning', reason: string, msg: string): void => {
    if (pod) ctx.recorder.event(podRef(pod), type, reason, msg);
  };
  let sandbox = scope.view.sandboxes.find((s) => s.id === decision.sandboxId);
  const actions = decision.actions;
  let i = 0;
  while (i < actions.length) {
    const a = actions[i] as Action;
    if (a.type === 'killContainer') {
      const group: Extract<Action, { type: 'killContainer' }>[] = [];
      while (i < actions.length && actions[i]?.type === 'killContainer') group.push(actions[i++] as Extract<Action, { type: 'killContainer' }>);
      const results = await Promise.allSettled(
        group.map(async (k) => {
          if (k.reason !== 'Orphaned') event('Normal', 'Killing', k.message);
          await ctx.runtime.stopContainer(k.id, k.graceSeconds).catch((e: unknown) => {
            if (!isNotFound(e)) throw e;
          });
        }),
      );
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw new Error(`stopping containers of pod ${scope.ref.namespace}/${scope.ref.name}: ${message(failure.reason)}`);
      continue;
    }
    if (a.type === 'pullImage' || a.type === 'startContainer') {
      const rest: Action[] = [];
      while (i < actions.length && (actions[i]?.type === 'pullImage' || actions[i]?.type === 'startContainer')) rest.push(actions[i++] as Action);
      await startAll(rest, sandbox, scope, failed);
      continue;
    }
    i++;
    switch (a.type) {
      case 'removeContainer':
        await ctx.runtime.removeContainer(a.id).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        break;
      case 'removeSandbox':
        await ctx.runtime.removeSandbox(a.sandboxId).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        break;
      case 'createSandbox': {
        if (!pod) break;
        try {
          const cfg = sandboxConfig(pod, scope.ref, ctx);
          if (ctx.podNetwork && !cfg.hostNetwork) Object.assign(cfg, await ctx.podNetwork.attach(scope.uid));
          sandbox = await ctx.runtime.createSandbox(cfg);
        } catch (e) {
          event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${message(e)}`);
          throw e;
        }
        break;
      }
      case 'cleanupPod':
        await ctx.volumes.cleanup(scope.uid);
        break;
      case 'deletePod':
        if (pod) await ctx.api.deletePod(pod);
        break;
    }
  }
  return { failed };
}

function sandboxConfig(pod: Pod, ref: PodRef, ctx: SyncContext): SandboxConfig {
  const spec = pod.spec ?? {};
  const hostname = (spec.hostname ?? pod.metadata.name ?? 'pod').slice(0, 63);
  const cfg: SandboxConfig = { pod: ref, hostname, hostNetwork: spec.hostNetwork === true, labels: { [NODE_NAME_LABEL]: ctx.nodeName } };
  if (ctx.network && !cfg.hostNetwork) cfg.network = ctx.network;
  const dns = podDNS(pod, ctx.clusterDNS);
  if (dns) cfg.dns = dns;
  const hosts = (spec.hostAliases ?? []).filter((h) => h.hostnames?.length).map((h) => `${h.ip} ${(h.hostnames ?? []).join(' ')}`);
  if (hosts.length) cfg.hosts = hosts;
  return cfg;
}

/** Pull and start sequences of different containers run concurrently; within one container, in order. */
async function startAll(actions: Action[], sandbox: Sandbox | undefined, scope: ApplyScope, failed: Map<string, Waiting>): Promise<void> {
  const { pod } = scope;
  if (!pod) return;
  const byName = new Map<string, Action[]>();
  for (const a of actions) {
    if (a.type !== 'pullImage' && a.type !== 'startContainer') continue;
    const list = byName.get(a.name);
    if (list) list.push(a);
    else byName.set(a.name, [a]);
  }
  // Volumes and referenced objects are prepared once per sync, on first need.
  let volumes: Promise<VolumeResult> | undefined;
  const cache = new Map<string, Promise<ConfigMap | Secret | undefined>>();
  const ns = pod.metadata.namespace ?? 'default';
  const fetch = <T extends ConfigMap | Secret>(kind: 'cm' | 'secret', namespace: string, name: string): Promise<T | undefined> => {
    const key = `${kind}/${namespace}/${name}`;
    let p = cache.get(key);
    if (!p) {
      p = kind === 'cm' ? scope.ctx.api.getConfigMap(namespace, name) : scope.ctx.api.getSecret(namespace, name);
      cache.set(key, p);
    }
    return p as Promise<T | undefined>;
  };
  const sources = {
    configMap: (n: string, name: string) => fetch<ConfigMap>('cm', n, name),
    secret: (n: string, name: string) => fetch<Secret>('secret', n, name),
  };
  const setupVolumes = (): Promise<VolumeResult> => (volumes ??= scope.ctx.volumes.setup(pod, sources));

  const specs = new Map<string, Container>([...containersOf(pod.spec?.initContainers), ...containersOf(pod.spec?.containers)].map((c) => [c.name, c]));
  await Promise.all(
    [...byName].map(async ([name, seq]) => {
      const spec = specs.get(name);
      if (!spec) return;
      for (const a of seq) {
        const ok =
          a.type === 'pullImage'
            ? await pull(a.image, a.policy, spec, scope, failed)
            : a.type === 'startContainer'
              ? await startOne(a, spec, sandbox, scope, failed, setupVolumes, sources, ns)
              : true;
        if (!ok) return;
      }
    }),
  );
}

function recordFailure(scope: ApplyScope, failed: Map<string, Waiting>, name: string, reason: string, msg: string): void {
  const now = scope.ctx.clock.now();
  scope.state.startFailures.set(name, nextFailure(scope.state.startFailures.get(name), { reason, message: msg }, now, scope.ctx.backoff));
  failed.set(name, { reason, message: msg });
}

async function pull(
  image: string,
  policy: 'Always' | 'IfNotPresent' | 'Never',
  spec: Container,
  scope: ApplyScope,
  failed: Map<string, Waiting>,
): Promise<boolean> {
  const { ctx, pod } = scope;
  if (!pod) return false;
  const ev = (type: 'Normal' | 'Warning', reason: string, msg: string): void => ctx.recorder.event(podRef(pod), type, reason, msg);
  const t0 = ctx.clock.now();
  if (policy === 'Always') ev('Normal', 'Pulling', `Pulling image "${image}"`);
  try {
    const r = await ctx.runtime.ensureImage(image, policy);
    if (r.pulled) {
      if (policy !== 'Always') ev('Normal', 'Pulling', `Pulling image "${image}"`);
      ev('Normal', 'Pulled', `Successfully pulled image "${image}" in ${((ctx.clock.now() - t0) / 1000).toFixed(3)}s`);
    } else ev('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return true;
  } catch (e) {
    const never = policy === 'Never' && e instanceof RuntimeError && e.reason === 'ImageNotFound';
    const reason = never ? 'ErrImageNeverPull' : 'ErrImagePull';
    const msg = never ? `Container image "${image}" is not present with pull policy of Never` : `Failed to pull image "${image}": ${message(e)}`;
    ev('Warning', 'Failed', msg);
    ev('Warning', 'Failed', `Error: ${reason}`);
    recordFailure(scope, failed, spec.name, reason, msg);
    return false;
  }
}

async function startOne(
  a: Extract<Action, { type: 'startContainer' }>,
  spec: Container,
  sandbox: Sandbox | undefined,
  scope: ApplyScope,
  failed: Map<string, Waiting>,
  setupVolumes: () => Promise<VolumeResult>,
  sources: { configMap: (ns: string, name: string) => Promise<ConfigMap | undefined>; secret: (ns: string, name: string) => Promise<Secret | undefined> },
  ns: string,
): Promise<boolean> {
  const { ctx, pod } = scope;
  if (!pod || !sandbox) return false;
  const ev = (type: 'Normal' | 'Warning', reason: string, msg: string): void => ctx.recorder.event(podRef(pod), type, reason, msg);
  if (a.backoff) scope.state.crashBackoff.set(a.name, a.backoff);
  const configError = (msg: string): boolean => {
    ev('Warning', 'Failed', `Error: ${msg}`);
    recordFailure(scope, failed, a.name, 'CreateContainerConfigError', msg);
    return false;
  };

  const vols = await setupVolumes();
  if (!vols.ok) return configError(vols.error);
  const mounts = ctx.volumes.mountsFor(spec, vols.paths);
  if (typeof mounts === 'string') return configError(mounts);
  await ctx.volumes.prepareMounts(mounts);

  const refs = referencedObjects(spec);
  const configMaps = new Map<string, ConfigMap | undefined>();
  const secrets = new Map<string, Secret | undefined>();
  await Promise.all([
    ...[...refs.configMaps].map(async (n) => configMaps.set(n, await sources.configMap(ns, n))),
    ...[...refs.secrets].map(async (n) => secrets.set(n, await sources.secret(ns, n))),
  ]);
  const podIP = pod.spec?.hostNetwork ? ctx.hostIP : sandbox.ip;
  const env = resolveEnv(spec, { pod, podIP, hostIP: ctx.hostIP, configMaps, secrets });
  if (!env.ok) return configError(env.error);

  const limits = spec.resources?.limits ?? {};
  const requests = { ...limits, ...(spec.resources?.requests ?? {}) };
  const cfg: ContainerConfig = {
    pod: scope.ref,
    name: spec.name,
    role: a.role,
    attempt: a.attempt,
    specHash: containerHash(spec),
    image: spec.image ?? '',
    env: env.env,
    mounts,
    tty: spec.tty === true,
    stdin: spec.stdin === true,
    labels: { [SANDBOX_ID_LABEL]: sandbox.id, [NODE_NAME_LABEL]: ctx.nodeName },
  };
  const command = expandCommand(spec.command, env.env);
  const args = expandCommand(spec.args, env.env);
  if (command) cfg.command = command;
  if (args) cfg.args = args;
  if (spec.workingDir) cfg.workingDir = spec.workingDir;
  const cpuLimit = milliCPU(limits['cpu']);
  const cpuRequest = milliCPU(requests['cpu']);
  const memLimit = units(limits['memory']);
  if (cpuLimit !== undefined && cpuLimit > 0) cfg.cpuLimitMillis = cpuLimit;
  if (cpuRequest !== undefined && cpuRequest > 0) cfg.cpuShares = cpuSharesFor(cpuRequest);
  if (memLimit !== undefined && memLimit > 0) cfg.memoryLimitBytes = memLimit;

  let id: string;
  try {
    id = await ctx.runtime.createContainer(sandbox.id, cfg);
  } catch (e) {
    const msg = message(e);
    ev('Warning', 'Failed', `Error: ${msg}`);
    recordFailure(scope, failed, a.name, 'CreateContainerError', msg);
    return false;
  }
  ev('Normal', 'Created', `Created container ${spec.name}`);
  try {
    await ctx.runtime.startContainer(id);
  } catch (e) {
    const msg = message(e);
    ev('Warning', 'Failed', `Error: failed to start container "${spec.name}": ${msg}`);
    recordFailure(scope, failed, a.name, 'RunContainerError', msg);
    return false;
  }
  ev('Normal', 'Started', `Started container ${spec.name}`);
  scope.state.startFailures.delete(a.name);
  return true;
}
