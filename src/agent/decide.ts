// The pod sync's decision function: PURE. Given the pod as the API has it and the pod's sandboxes and
// containers as the runtime has them (plus the agent's back-off records and probe verdicts), it returns the
// runtime actions that move the pod one step closer to its spec, the waiting reason of every container it
// holds back, and when to look again. It never reads a clock or the runtime itself; sync.ts applies the
// actions. The state machine it implements is drawn in README.md.

import { type ContainerStatus, type PullPolicy, type Sandbox } from './runtime/runtime.js';
import {
  effectiveEntry,
  nextEntry,
  restartWaitMs,
  backoffReason,
  DEFAULT_BACKOFF,
  type BackoffEntry,
  type BackoffPolicy,
  type StartFailure,
} from './backoff.js';
import { containerHash } from './hash.js';
import { containersOf, restartPolicyOf, type Container, type Pod, type RestartPolicy } from './types.js';

/** The agent labels every container with the sandbox it joined, so a new sandbox tells old containers apart. */
export const SANDBOX_ID_LABEL = 'io.minik8s.sandbox.id';

/**
 * The agent labels what it creates with its node name: several agents may share one engine (tests, or nodes
 * simulated on one machine), and an agent only ever garbage-collects objects carrying its own name.
 */
export const NODE_NAME_LABEL = 'io.minik8s.node.name';

/** Grace for containers of pods the API no longer knows (force-deleted, or deleted while the agent was down). */
export const ORPHAN_GRACE_SECONDS = 2;

export type KillReason = 'Deleted' | 'Orphaned' | 'Unknown' | 'Duplicate' | 'SandboxChanged' | 'SpecChanged' | 'Unhealthy';

export type Action =
  | { type: 'killContainer'; id: string; name: string; graceSeconds: number; reason: KillReason; message: string }
  | { type: 'removeContainer'; id: string; name: string }
  | { type: 'removeSandbox'; sandboxId: string }
  | { type: 'createSandbox' }
  | { type: 'pullImage'; name: string; image: string; policy: PullPolicy }
  | {
      type: 'startContainer';
      name: string;
      role: 'init' | 'container';
      attempt: number;
      /** The crash back-off record to keep once this restart is issued (absent: leave it as it is). */
      backoff?: BackoffEntry;
    }
  | { type: 'cleanupPod' }
  | { type: 'deletePod' };

export interface Waiting {
  reason: string;
  message: string;
}

export interface DecideInput {
  uid: string;
  /** Undefined: the API no longer has a pod with this UID; whatever runs for it is torn down. */
  pod: Pod | undefined;
  sandboxes: readonly Sandbox[];
  containers: readonly ContainerStatus[];
  /** Crash back-off per container name. */
  crashBackoff: ReadonlyMap<string, BackoffEntry>;
  /** The last failed start per container name, while it waits for its retry. */
  startFailures: ReadonlyMap<string, StartFailure>;
  /** Running containers a liveness or startup probe has given up on: container id → message. */
  unhealthy: ReadonlyMap<string, string>;
  /** The lowest attempt number a new container of each name may take (restart counts the API has seen). */
  attemptFloor?: ReadonlyMap<string, number>;
  now: number;
  backoff?: BackoffPolicy;
  /** Grace for orphans (default ORPHAN_GRACE_SECONDS). */
  orphanGraceSeconds?: number;
}

export interface Decision {
  actions: Action[];
  /** Containers held back, by name, and why (CrashLoopBackOff, ImagePullBackOff, ...). */
  waiting: Map<string, Waiting>;
  /** Sync again after this long (a back-off ends), if set. */
  requeueAfterMs?: number;
  /** The sandbox the pod's containers run in (undefined: none yet, or the one createSandbox makes). */
  sandboxId?: string;
  /** Warnings to record on the pod (back-offs), as [reason, message]. */
  events: [string, string][];
  /** The pod is being torn down (deleted, or unknown to the API). */
  terminating: boolean;
}

function isLive(c: ContainerStatus): boolean {
  return c.state === 'running' || c.state === 'unknown';
}

function newestFirst(a: ContainerStatus, b: ContainerStatus): number {
  return b.attempt - a.attempt || b.createdAt - a.createdAt;
}

/** Default pull policy as the API server defaults it: Always for :latest (or no tag), IfNotPresent otherwise. */
export function pullPolicyOf(c: Container): PullPolicy {
  if (c.imagePullPolicy === 'Always' || c.imagePullPolicy === 'IfNotPresent' || c.imagePullPolicy === 'Never') return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Whether a finished container of this pod is run again. */
export function shouldRestart(policy: RestartPolicy, c: ContainerStatus): boolean {
  if (policy === 'Always') return true;
  if (policy === 'Never') return false;
  return c.exitCode !== 0;
}

/** The grace period a terminating pod's containers get. */
export function terminationGrace(pod: Pod): number {
  const g = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds;
  return typeof g === 'number' && g >= 0 ? g : 30;
}

function byName(containers: readonly ContainerStatus[]): Map<string, ContainerStatus[]> {
  const m = new Map<string, ContainerStatus[]>();
  for (const c of containers) {
    const list = m.get(c.name);
    if (list) list.push(c);
    else m.set(c.name, [c]);
  }
  for (const list of m.values()) list.sort(newestFirst);
  return m;
}

/** Tear everything down: stop (with grace), remove containers, remove sandboxes, then delete the pod object. */
function teardown(input: DecideInput): Decision {
  const { pod } = input;
  const grace = pod ? terminationGrace(pod) : (input.orphanGraceSeconds ?? ORPHAN_GRACE_SECONDS);
  const reason: KillReason = pod ? 'Deleted' : 'Orphaned';
  const actions: Action[] = [];
  for (const c of input.containers) {
    if (isLive(c)) actions.push({ type: 'killContainer', id: c.id, name: c.name, graceSeconds: grace, reason, message: `Stopping container ${c.name}` });
  }
  for (const c of input.containers) actions.push({ type: 'removeContainer', id: c.id, name: c.name });
  for (const s of input.sandboxes) actions.push({ type: 'removeSandbox', sandboxId: s.id });
  actions.push({ type: 'cleanupPod' });
  if (pod) actions.push({ type: 'deletePod' });
  return { actions, waiting: new Map(), events: [], terminating: true };
}

/** The sandbox the pod runs in: the running one most of its containers joined (the newest on a tie). */
export function pickSandbox(sandboxes: readonly Sandbox[], containers: readonly ContainerStatus[]): Sandbox | undefined {
  const running = sandboxes.filter((s) => s.running);
  const users = (s: Sandbox): number => containers.filter((c) => c.labels[SANDBOX_ID_LABEL] === s.id).length;
  return running.sort((a, b) => users(b) - users(a) || b.createdAt - a.createdAt)[0];
}

export function decide(input: DecideInput): Decision {
  const { pod, now } = input;
  if (!pod || pod.metadata.deletionTimestamp) return teardown(input);

  const policy = restartPolicyOf(pod);
  const bo = input.backoff ?? DEFAULT_BACKOFF;
  const initSpecs = containersOf(pod.spec?.initContainers);
  const appSpecs = containersOf(pod.spec?.containers);
  const specs = new Map<string, { spec: Container; role: 'init' | 'container' }>();
  for (const spec of initSpecs) specs.set(spec.name, { spec, role: 'init' });
  for (const spec of appSpecs) specs.set(spec.name, { spec, role: 'container' });
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;

  const kills: Action[] = [];
  const removals: Action[] = [];
  const starts: Action[] = [];
  const waiting = new Map<string, Waiting>();
  const events: [string, string][] = [];
  let requeue: number | undefined;
  const requeueIn = (ms: number): void => {
    requeue = requeue === undefined ? ms : Math.min(requeue, ms);
  };
  const killed = new Set<string>();
  const removed = new Set<string>();
  const kill = (c: ContainerStatus, reason: KillReason, message: string): void => {
    if (killed.has(c.id) || !isLive(c)) return;
    killed.add(c.id);
    kills.push({ type: 'killContainer', id: c.id, name: c.name, graceSeconds: reason === 'Duplicate' || reason === 'Unknown' ? 0 : grace, reason, message });
  };
  const remove = (c: ContainerStatus): void => {
    if (removed.has(c.id)) return;
    removed.add(c.id);
    removals.push({ type: 'removeContainer', id: c.id, name: c.name });
  };

  // Containers the spec does not name (left from another spec, or made by hand with our labels) go.
  for (const c of input.containers) {
    if (!specs.has(c.name)) {
      kill(c, 'Unknown', `Stopping container ${c.name}: not in the pod spec`);
      remove(c);
    }
  }

  const groups = byName(input.containers.filter((c) => specs.has(c.name)));
  // Per name keep the newest container and the one before it (lastState, `logs --previous`); older ones go,
  // and a second live container of one name (never made by this function, but possible by hand) is stopped.
  for (const list of groups.values()) {
    list.forEach((c, i) => {
      if (i === 0) return;
      if (isLive(c)) {
        kill(c, 'Duplicate', `Stopping duplicate container ${c.name}`);
        remove(c);
      } else if (i >= 2) remove(c);
    });
  }
  const latestOf = (name: string): ContainerStatus | undefined => groups.get(name)?.[0];
  const nextAttempt = (name: string): number => {
    const top = latestOf(name);
    return Math.max(top ? top.attempt + 1 : 0, input.attemptFloor?.get(name) ?? 0);
  };

  // Is the pod finished for good (nothing will ever run again)?
  const initFailedForGood =
    policy === 'Never' &&
    initSpecs.some((s) => {
      const l = latestOf(s.name);
      return l !== undefined && l.state === 'exited' && l.exitCode !== 0;
    }) &&
    !appSpecs.some((s) => latestOf(s.name) !== undefined);
  const appsDone =
    policy !== 'Always' &&
    appSpecs.length > 0 &&
    appSpecs.every((s) => {
      const l = latestOf(s.name);
      return l !== undefined && l.state === 'exited' && !shouldRestart(policy, l);
    });
  const podDone = initFailedForGood || appsDone;

  const sandbox = pickSandbox(input.sandboxes, input.containers);
  let createSandbox = false;
  if (!sandbox && !podDone) {
    createSandbox = true;
    // Containers of a dead sandbox lost their network: stop them; they are restarted in the new one.
    for (const c of input.containers) kill(c, 'SandboxChanged', `Stopping container ${c.name}: pod sandbox changed, it will be killed and re-created`);
  }
  if (sandbox) {
    for (const c of input.containers) {
      const sb = c.labels[SANDBOX_ID_LABEL];
      if (sb !== undefined && sb !== sandbox.id && isLive(c)) kill(c, 'SandboxChanged', `Stopping container ${c.name}: it runs in another sandbox`);
    }
  }
  const inCurrent = (c: ContainerStatus): boolean => sandbox !== undefined && (c.labels[SANDBOX_ID_LABEL] ?? sandbox.id) === sandbox.id;
  const sandboxId = sandbox?.id;

  // A start, gated by the back-off of a previous failed start of the same name.
  const start = (spec: Container, role: 'init' | 'container', attempt: number, backoff?: BackoffEntry): void => {
    const failure = input.startFailures.get(spec.name);
    if (failure && now < failure.at + failure.delayMs) {
      const reason = backoffReason(failure.reason);
      waiting.set(spec.name, { reason, message: failure.message });
      if (reason === 'ImagePullBackOff') events.push(['BackOff', `Back-off pulling image "${spec.image ?? ''}"`]);
      requeueIn(failure.at + failure.delayMs - now);
      return;
    }
    // The newest container becomes the previous one: anything older is no longer needed.
    for (const old of groups.get(spec.name)?.slice(1) ?? []) if (!isLive(old)) remove(old);
    starts.push({ type: 'pullImage', name: spec.name, image: spec.image ?? '', policy: pullPolicyOf(spec) });
    starts.push({ type: 'startContainer', name: spec.name, role, attempt, ...(backoff ? { backoff } : {}) });
  };

  // A finished container that the policy restarts: at once the first time, then after the crash back-off.
  const restartAfterExit = (spec: Container, role: 'init' | 'container', c: ContainerStatus): void => {
    if (!inCurrent(c)) return start(spec, role, nextAttempt(spec.name));
    const entry = effectiveEntry(input.crashBackoff.get(spec.name), { startedAt: c.startedAt, finishedAt: c.finishedAt }, now, bo);
    const wait = restartWaitMs(entry, c.finishedAt, now);
    if (wait > 0 && entry) {
      const secs = Math.round(entry.delayMs / 1000);
      const message = `back-off ${secs}s restarting failed container=${spec.name} pod=${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${input.uid})`;
      waiting.set(spec.name, { reason: 'CrashLoopBackOff', message });
      events.push([
        'BackOff',
        `Back-off restarting failed container ${spec.name} in pod ${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${input.uid})`,
      ]);
      requeueIn(wait);
      return;
    }
    start(spec, role, nextAttempt(spec.name), nextEntry(entry, now, bo));
  };

  /** Decides for one container name: 'running' (nothing to do), 'done' (finished for good) or 'pending'. */
  const handle = (spec: Container, role: 'init' | 'container'): 'running' | 'done' | 'pending' => {
    const c = latestOf(spec.name);
    if (!c || (createSandbox && isLive(c)) || (role === 'init' && !inCurrent(c))) {
      // Nothing yet, or what there is belongs to a sandbox being replaced (init containers run again there).
      start(spec, role, nextAttempt(spec.name));
      return 'pending';
    }
    if (c.state === 'created') {
      // Created but never started (an interrupted start): replace it under the same attempt number.
      remove(c);
      start(spec, role, c.attempt);
      return 'pending';
    }
    if (isLive(c)) {
      if (!inCurrent(c)) return 'pending'; // being stopped above; restarted on a later sync
      if (c.specHash !== containerHash(spec)) {
        kill(c, 'SpecChanged', `Container ${spec.name} definition changed, will be restarted`);
        start(spec, role, nextAttempt(spec.name));
        return 'pending';
      }
      const why = input.unhealthy.get(c.id);
      if (why !== undefined) {
        kill(c, 'Unhealthy', why);
        requeueIn(0);
        return 'pending';
      }
      return 'running';
    }
    // Exited (or 'unknown' handled above as live).
    if (role === 'init' && c.exitCode === 0) return 'done';
    if (!shouldRestart(policy, c)) return 'done';
    restartAfterExit(spec, role, c);
    return 'pending';
  };

  if (!podDone) {
    // Init containers run one at a time, in order, each to success, before any app container starts. Once an
    // app container exists in the current sandbox the pod is initialized for good (init containers whose
    // records were cleaned up are not run again).
    const initialized =
      !createSandbox &&
      (appSpecs.some((s) => groups.get(s.name)?.some(inCurrent)) ||
        initSpecs.every((s) => {
          const c = latestOf(s.name);
          return c !== undefined && inCurrent(c) && c.state === 'exited' && c.exitCode === 0;
        }));
    let ready = initialized;
    if (!initialized) {
      ready = true;
      for (const spec of initSpecs) {
        const r = handle(spec, 'init');
        if (r === 'done') {
          const c = latestOf(spec.name);
          if (c && c.exitCode !== 0) {
            ready = false; // failed for good (restartPolicy Never): the pod fails
            break;
          }
          continue;
        }
        ready = false;
        break;
      }
    }
    if (ready) for (const spec of appSpecs) handle(spec, 'container');
  }

  // Sandboxes other than the current one go once no container of theirs is left.
  const keptContainers = input.containers.filter((c) => !removed.has(c.id));
  const sandboxRemovals: Action[] = [];
  for (const s of input.sandboxes) {
    if (s.id === sandboxId && !createSandbox) continue;
    if (keptContainers.some((c) => c.labels[SANDBOX_ID_LABEL] === s.id)) continue;
    if (createSandbox && keptContainers.some((c) => c.labels[SANDBOX_ID_LABEL] === undefined)) continue;
    sandboxRemovals.push({ type: 'removeSandbox', sandboxId: s.id });
  }

  const actions: Action[] = [...kills, ...removals, ...sandboxRemovals];
  if (createSandbox) actions.push({ type: 'createSandbox' });
  actions.push(...starts);
  const d: Decision = { actions, waiting, events, terminating: false };
  if (requeue !== undefined) d.requeueAfterMs = requeue;
  if (sandboxId !== undefined && !createSandbox) d.sandboxId = sandboxId;
  return d;
}
