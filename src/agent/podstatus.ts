// Pod status as Kubernetes reports it, computed from what the runtime says: PURE. The input is the pod, its
// sandbox and containers, the waiting reasons the sync decided on, probe verdicts, and the status written
// before (transition times and startTime are kept from it; a terminal phase never changes). The output is
// deterministic, so comparing it with the stored status tells whether a write is needed.

import type { ContainerStatus, Sandbox } from './runtime/runtime.js';
import { milliCPU, units } from '../api/quantity.js';
import {
  containersOf,
  restartPolicyOf,
  rfc3339,
  type Container,
  type ContainerState,
  type ContainerStateTerminated,
  type Pod,
  type PodCondition,
  type PodContainerStatus,
  type PodPhase,
  type PodStatus,
  type QosClass,
} from './types.js';
import { shouldRestart, SANDBOX_ID_LABEL, type Waiting } from './decide.js';

export interface ProbeVerdicts {
  /** Readiness by container id; absent: no verdict yet (not ready when the container has a readiness probe). */
  ready: ReadonlyMap<string, boolean>;
  /** Startup probe passed, by container id; absent: not yet (when the container has a startup probe). */
  started: ReadonlyMap<string, boolean>;
}

export interface PodStatusInput {
  pod: Pod;
  /** The sandbox the pod's containers run in, if any. */
  sandbox: Sandbox | undefined;
  containers: readonly ContainerStatus[];
  waiting: ReadonlyMap<string, Waiting>;
  probes: ProbeVerdicts;
  hostIP: string;
  /** Prefix of containerID: `docker` gives docker://ID. */
  runtimeName: string;
  now: number;
  /** The status written before (for transition times, startTime, and a terminal phase, which sticks). */
  previous: PodStatus | undefined;
}

const CONDITION_ORDER = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

function terminated(c: ContainerStatus, prefix: string): ContainerStateTerminated {
  const exitCode = c.exitCode ?? (c.state === 'unknown' ? 255 : 0);
  const t: ContainerStateTerminated = {
    exitCode,
    reason: c.oomKilled ? 'OOMKilled' : c.error && c.startedAt === undefined ? 'ContainerCannotRun' : exitCode === 0 ? 'Completed' : 'Error',
  };
  if (c.error) t.message = c.error;
  if (c.startedAt !== undefined) t.startedAt = rfc3339(c.startedAt);
  if (c.finishedAt !== undefined) t.finishedAt = rfc3339(c.finishedAt);
  t.containerID = `${prefix}://${c.id}`;
  return t;
}

function sortedByAttempt(all: readonly ContainerStatus[], name: string): ContainerStatus[] {
  return all.filter((c) => c.name === name).sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

interface Row {
  status: PodContainerStatus;
  latest: ContainerStatus | undefined;
}

function containerRow(spec: Container, input: PodStatusInput, role: 'init' | 'container', defaultWaiting: string): Row {
  const list = sortedByAttempt(input.containers, spec.name);
  const [latest, before] = list;
  const prefix = input.runtimeName;
  const w = input.waiting.get(spec.name);
  const prevRow = [...(input.previous?.containerStatuses ?? []), ...(input.previous?.initContainerStatuses ?? [])].find((s) => s.name === spec.name);
  let state: ContainerState;
  let lastState: ContainerState = before && before.state !== 'running' ? { terminated: terminated(before, prefix) } : {};
  let ready = false;
  let started = false;
  if (!latest) {
    state = { waiting: w ? { reason: w.reason, message: w.message } : { reason: defaultWaiting } };
    if (prevRow?.lastState.terminated) lastState = prevRow.lastState;
  } else if (latest.state === 'running' || latest.state === 'unknown') {
    state = { running: latest.startedAt !== undefined ? { startedAt: rfc3339(latest.startedAt) } : {} };
    started = spec.startupProbe ? input.probes.started.get(latest.id) === true : true;
    const readyVerdict = spec.readinessProbe ? input.probes.ready.get(latest.id) === true : true;
    ready = role === 'container' && started && readyVerdict;
  } else if (latest.state === 'created') {
    state = { waiting: w ? { reason: w.reason, message: w.message } : { reason: 'ContainerCreating' } };
  } else if (w) {
    state = { waiting: { reason: w.reason, message: w.message } };
    lastState = { terminated: terminated(latest, prefix) };
  } else {
    state = { terminated: terminated(latest, prefix) };
    ready = role === 'init' && latest.exitCode === 0;
  }
  const status: PodContainerStatus = {
    name: spec.name,
    state,
    lastState,
    ready,
    restartCount: latest ? latest.attempt : (prevRow?.restartCount ?? 0),
    image: spec.image ?? '',
    imageID: latest?.imageId ?? '',
    started,
  };
  if (latest) status.containerID = `${prefix}://${latest.id}`;
  return { status, latest };
}

/** Guaranteed: every container has equal CPU and memory requests and limits; BestEffort: none has any. */
export function qosClassOf(pod: Pod): QosClass {
  const all = [...containersOf(pod.spec?.initContainers), ...containersOf(pod.spec?.containers)];
  let any = false;
  let guaranteed = all.length > 0;
  for (const c of all) {
    const limits = c.resources?.limits ?? {};
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    for (const r of ['cpu', 'memory']) {
      const lim = limits[r];
      const req = requests[r];
      if (lim !== undefined || req !== undefined) any = true;
      const toNum = r === 'cpu' ? milliCPU : units;
      if (lim === undefined || req === undefined || toNum(lim) !== toNum(req)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function phaseOf(pod: Pod, init: Row[], app: Row[], initialized: boolean): PodPhase {
  const policy = restartPolicyOf(pod);
  if (policy === 'Never' && init.some((r) => r.latest?.state === 'exited' && r.latest.exitCode !== 0)) {
    if (!app.some((r) => r.latest)) return 'Failed';
  }
  if (!initialized) return 'Pending';
  let running = 0;
  let notYet = 0;
  let succeeded = 0;
  let failed = 0;
  for (const { latest, status } of app) {
    if (!latest || (latest.state === 'created' && status.restartCount === 0 && !status.lastState.terminated)) {
      if (status.restartCount > 0 || status.lastState.terminated)
        running++; // waiting to restart after a run
      else notYet++;
    } else if (latest.state === 'running' || latest.state === 'unknown' || latest.state === 'created') running++;
    else if (shouldRestart(policy, latest)) running++;
    else if (latest.exitCode === 0) succeeded++;
    else failed++;
  }
  if (notYet > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (failed > 0) return 'Failed';
  return succeeded > 0 ? 'Succeeded' : 'Pending';
}

function condition(type: string, ok: boolean, reason: string | undefined, message: string | undefined, input: PodStatusInput): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = input.previous?.conditions?.find((c) => c.type === type);
  const c: PodCondition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(input.now),
  };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

export function computePodStatus(input: PodStatusInput): PodStatus {
  const { pod, previous } = input;
  const initSpecs = containersOf(pod.spec?.initContainers);
  const appSpecs = containersOf(pod.spec?.containers);
  const anyApp = appSpecs.some((s) =>
    input.containers.some((c) => c.name === s.name && (input.sandbox === undefined || (c.labels[SANDBOX_ID_LABEL] ?? input.sandbox.id) === input.sandbox.id)),
  );
  const initRows = initSpecs.map((s) => containerRow(s, input, 'init', 'PodInitializing'));
  const initialized = anyApp || initRows.every((r) => r.latest?.state === 'exited' && r.latest.exitCode === 0);
  const appRows = appSpecs.map((s) => containerRow(s, input, 'container', initialized ? 'ContainerCreating' : 'PodInitializing'));

  let phase = phaseOf(pod, initRows, appRows, initialized);
  if (previous?.phase === 'Succeeded' || previous?.phase === 'Failed') phase = previous.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const incompleteInit = initRows.filter((r) => !(r.latest?.state === 'exited' && r.latest.exitCode === 0)).map((r) => r.status.name);
  const unready = appRows.filter((r) => !r.status.ready).map((r) => r.status.name);
  const allReady = unready.length === 0 && !terminal;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const ours = [
    condition(
      'Initialized',
      initialized,
      terminal ? 'PodCompleted' : 'ContainersNotInitialized',
      terminal ? undefined : `containers with incomplete status: [${incompleteInit.join(' ')}]`,
      input,
    ),
    condition('Ready', allReady, notReadyReason, notReadyMessage, input),
    condition('ContainersReady', allReady, notReadyReason, notReadyMessage, input),
    condition('PodScheduled', true, undefined, undefined, input),
  ];
  // Conditions other components own (DisruptionTarget, readiness gates) are kept as they are.
  const others = (previous?.conditions ?? []).filter((c) => !CONDITION_ORDER.includes(c.type));

  const status: PodStatus = { phase, conditions: [...ours, ...others] };
  const hostNetwork = pod.spec?.hostNetwork === true;
  const podIP = hostNetwork ? input.hostIP : input.sandbox?.ip || previous?.podIP;
  if (input.hostIP) {
    status.hostIP = input.hostIP;
    status.hostIPs = [{ ip: input.hostIP }];
  }
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  status.startTime = previous?.startTime ?? rfc3339(input.now);
  if (initRows.length) status.initContainerStatuses = initRows.map((r) => r.status);
  status.containerStatuses = appRows.map((r) => r.status);
  status.qosClass = qosClassOf(pod);
  return status;
}
