// Liveness, readiness and startup probes. One worker per (running container, probe kind) runs the probe on
// the injected clock: first after initialDelaySeconds from the container's start, then every periodSeconds,
// each run bounded by timeoutSeconds. The counting rules are a pure step function (probeStep); the worker
// only feeds it results. When a verdict changes the pod is synced again (onChange):
//
//   startup   false until one success; failureThreshold failures in a row → unhealthy (the container is
//             killed). Liveness and readiness wait until it passes.
//   liveness  failureThreshold failures in a row → unhealthy (killed and restarted per restartPolicy).
//   readiness false until successThreshold successes in a row; failureThreshold failures in a row → false.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { EventRecorder } from '../client/events.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Runtime } from './runtime/runtime.js';
import type { Container, Pod, Probe } from './types.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeResult {
  ok: boolean;
  message: string;
}

export interface ProbeState {
  successes: number;
  failures: number;
  /** The verdict: passed (startup), alive (liveness), ready (readiness). */
  verdict: boolean;
}

export function initialProbeState(kind: ProbeKind): ProbeState {
  return { successes: 0, failures: 0, verdict: kind === 'liveness' };
}

/** Counts one result into the state; a verdict flips only after enough results in a row. */
export function probeStep(state: ProbeState, ok: boolean, probe: Probe, kind: ProbeKind): ProbeState {
  const successThreshold = kind === 'readiness' ? Math.max(1, probe.successThreshold ?? 1) : 1;
  const failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
  const successes = ok ? state.successes + 1 : 0;
  const failures = ok ? 0 : state.failures + 1;
  let verdict = state.verdict;
  if (ok && successes >= successThreshold) verdict = true;
  if (!ok && failures >= failureThreshold) verdict = false;
  return { successes, failures, verdict };
}

export interface ProbeTarget {
  containerId: string;
  container: Container;
  podIP: string;
}

/** Runs one probe once. The default (defaultProbeRunner) does exec through the runtime, HTTP and TCP. */
export type ProbeRunner = (probe: Probe, target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult>;

function resolvePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function limitedSink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      if (out.length < 1024) out += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => out.trim().slice(0, 1024) };
}

export function defaultProbeRunner(runtime: Runtime): ProbeRunner {
  return async (probe, target, signal) => {
    if (probe.exec) {
      const command = probe.exec.command ?? [];
      const out = limitedSink();
      const session = await runtime.exec(target.containerId, { command, tty: false, stdout: out.stream, stderr: out.stream, signal });
      const code = await new Promise<number>((resolve, reject) => {
        const onAbort = (): void => reject(new Error(`command ${JSON.stringify(command)} timed out`));
        signal.addEventListener('abort', onAbort, { once: true });
        session.exited.then(
          (c) => {
            signal.removeEventListener('abort', onAbort);
            resolve(c);
          },
          (e: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      });
      return { ok: code === 0, message: code === 0 ? '' : out.text() || `command ${JSON.stringify(command)} exited with ${code}` };
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const port = resolvePort(g.port, target.container);
      if (port === undefined) return { ok: false, message: `port ${String(g.port)} is not a named port of the container` };
      const host = g.host || target.podIP;
      const scheme = g.scheme === 'HTTPS' ? 'https' : 'http';
      const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${g.path ?? '/'}`;
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      const status = await new Promise<number>((resolve, reject) => {
        const req = (scheme === 'https' ? httpsRequest : httpRequest)(url, { method: 'GET', headers, signal, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      return status >= 200 && status < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${status}` };
    }
    if (probe.tcpSocket) {
      const port = resolvePort(probe.tcpSocket.port, target.container);
      if (port === undefined) return { ok: false, message: `port ${String(probe.tcpSocket.port)} is not a named port of the container` };
      const host = probe.tcpSocket.host || target.podIP;
      await new Promise<void>((resolve, reject) => {
        const sock = connect({ host, port });
        const onAbort = (): void => {
          sock.destroy();
          reject(new Error(`dial tcp ${host}:${port}: i/o timeout`));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        sock.once('connect', () => {
          signal.removeEventListener('abort', onAbort);
          sock.destroy();
          resolve();
        });
        sock.once('error', (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        });
      });
      return { ok: true, message: '' };
    }
    return { ok: false, message: 'probe has no handler (exec, httpGet or tcpSocket)' };
  };
}

const KIND_TITLE: Record<ProbeKind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

interface Worker {
  podUid: string;
  kind: ProbeKind;
  probe: Probe;
  target: ProbeTarget;
  state: ProbeState;
  timer: TimerHandle | undefined;
  stopped: boolean;
  pod: Pod;
}

export interface ProbeManagerOptions {
  clock: Clock;
  runner: ProbeRunner;
  recorder?: EventRecorder;
  logger?: Logger;
  /** A verdict of one of the pod's containers changed: sync the pod. */
  onChange: (podUid: string) => void;
}

export interface RunningContainer {
  id: string;
  spec: Container;
  startedAt: number | undefined;
}

/** Probe workers for all pods; the pod sync tells it which containers run (update) and reads verdicts. */
export class ProbeManager {
  private readonly workers = new Map<string, Worker>();
  private readonly opts: ProbeManagerOptions;

  constructor(opts: ProbeManagerOptions) {
    this.opts = opts;
  }

  private key(containerId: string, kind: ProbeKind): string {
    return `${containerId}/${kind}`;
  }

  /** Makes the workers of a pod match its running containers: new containers get workers, gone ones lose them. */
  update(pod: Pod, running: readonly RunningContainer[], podIP: string): void {
    const uid = pod.metadata.uid ?? '';
    const wanted = new Set<string>();
    for (const rc of running) {
      const kinds: [ProbeKind, Probe | undefined][] = [
        ['startup', rc.spec.startupProbe],
        ['liveness', rc.spec.livenessProbe],
        ['readiness', rc.spec.readinessProbe],
      ];
      for (const [kind, probe] of kinds) {
        if (!probe) continue;
        const k = this.key(rc.id, kind);
        wanted.add(k);
        const existing = this.workers.get(k);
        if (existing) {
          existing.pod = pod;
          existing.target.podIP = podIP;
          continue;
        }
        const w: Worker = {
          podUid: uid,
          kind,
          probe,
          target: { containerId: rc.id, container: rc.spec, podIP },
          state: initialProbeState(kind),
          timer: undefined,
          stopped: false,
          pod,
        };
        this.workers.set(k, w);
        const startAt = (rc.startedAt ?? this.opts.clock.now()) + (probe.initialDelaySeconds ?? 0) * 1000;
        this.schedule(w, Math.max(0, startAt - this.opts.clock.now()));
      }
    }
    for (const [k, w] of this.workers) {
      if (w.podUid === uid && !wanted.has(k)) this.stopWorker(k, w);
    }
  }

  removePod(uid: string): void {
    for (const [k, w] of this.workers) if (w.podUid === uid) this.stopWorker(k, w);
  }

  stop(): void {
    for (const [k, w] of this.workers) this.stopWorker(k, w);
  }

  /** Readiness and startup verdicts for a pod's containers, by container id. */
  verdicts(uid: string): { ready: Map<string, boolean>; started: Map<string, boolean> } {
    const ready = new Map<string, boolean>();
    const started = new Map<string, boolean>();
    for (const w of this.workers.values()) {
      if (w.podUid !== uid) continue;
      if (w.kind === 'readiness') ready.set(w.target.containerId, w.state.verdict);
      if (w.kind === 'startup') started.set(w.target.containerId, w.state.verdict);
    }
    return { ready, started };
  }

  /** Containers a liveness or startup probe gave up on: id → the Killing message. */
  unhealthy(uid: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const w of this.workers.values()) {
      if (w.podUid !== uid || w.kind === 'readiness') continue;
      const failed = w.kind === 'liveness' ? !w.state.verdict : w.state.failures >= Math.max(1, w.probe.failureThreshold ?? 3);
      if (failed) out.set(w.target.containerId, `Container ${w.target.container.name} failed ${w.kind} probe, will be restarted`);
    }
    return out;
  }

  private stopWorker(key: string, w: Worker): void {
    w.stopped = true;
    if (w.timer) this.opts.clock.clearTimeout(w.timer);
    this.workers.delete(key);
  }

  private schedule(w: Worker, ms: number): void {
    w.timer = this.opts.clock.setTimeout(() => {
      w.timer = undefined;
      void this.runOnce(w);
    }, ms);
  }

  /** Startup must pass before liveness and readiness run. */
  private gated(w: Worker): boolean {
    if (w.kind === 'startup') return false;
    const s = this.workers.get(this.key(w.target.containerId, 'startup'));
    return s !== undefined && !s.state.verdict;
  }

  private async runOnce(w: Worker): Promise<void> {
    if (w.stopped) return;
    const period = Math.max(1, w.probe.periodSeconds ?? 10) * 1000;
    if (this.gated(w)) {
      this.schedule(w, period);
      return;
    }
    const ctrl = new AbortController();
    const timeout = this.opts.clock.setTimeout(() => ctrl.abort(), Math.max(1, w.probe.timeoutSeconds ?? 1) * 1000);
    let result: ProbeResult;
    try {
      result = await this.opts.runner(w.probe, w.target, ctrl.signal);
    } catch (e) {
      result = { ok: false, message: e instanceof Error ? e.message : String(e) };
    } finally {
      this.opts.clock.clearTimeout(timeout);
    }
    if (w.stopped) return;
    const before = w.state;
    w.state = probeStep(before, result.ok, w.probe, w.kind);
    if (!result.ok) {
      this.opts.recorder?.event(podRef(w.pod), 'Warning', 'Unhealthy', `${KIND_TITLE[w.kind]} probe failed: ${result.message}`);
    }
    const failedNow = w.kind !== 'readiness' && !result.ok && w.state.failures >= Math.max(1, w.probe.failureThreshold ?? 3);
    if (before.verdict !== w.state.verdict || failedNow) this.opts.onChange(w.podUid);
    // A passed startup probe is done; a given-up liveness/startup probe waits for the container to go.
    if (w.kind === 'startup' && w.state.verdict) return;
    if (failedNow) return;
    this.schedule(w, period);
  }
}

/** The pod as an event's involved object. */
export function podRef(pod: Pod): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata };
}
