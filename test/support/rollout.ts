// For the rollout suites: a Deployment of busybox httpd pods that serve their VERSION, and a client that keeps
// asking every Ready pod for it, straight at the pod IPs (pods sit on a Docker bridge the host reaches), so a
// suite can tell whether answers ever stopped while pods were replaced.

import { get } from 'node:http';
import type { KubeObject } from '../../src/api/meta.js';
import { lookupResource, type ResourceType } from '../../src/api/scheme.js';
import type { Client } from '../../src/client/client.js';

export const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
export const DEPLOYMENTS = lookupResource('apps', 'v1', 'deployments') as ResourceType;
export const REPLICASETS = lookupResource('apps', 'v1', 'replicasets') as ResourceType;

/** A Deployment whose pods answer `GET :8080/` with their VERSION env. */
export function webDeployment(name: string, opts: { replicas?: number; version?: string; strategy?: unknown; progressDeadlineSeconds?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: opts.replicas ?? 3,
      progressDeadlineSeconds: opts.progressDeadlineSeconds ?? 600,
      selector: { matchLabels: { app: name } },
      strategy: opts.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'app',
              image: 'busybox:1.36',
              imagePullPolicy: 'Never',
              env: [{ name: 'VERSION', value: opts.version ?? 'v1' }],
              command: ['sh', '-c', 'mkdir -p /www && echo "$VERSION" > /www/index.html && exec httpd -f -p 8080 -h /www'],
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 3 },
            },
          ],
        },
      },
    },
  };
}

function httpGet(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`${url}: HTTP ${res.statusCode ?? '?'}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

const isReady = (p: KubeObject): boolean => {
  const st = p.status as { conditions?: { type: string; status: string }[]; podIP?: string } | undefined;
  return !p.metadata.deletionTimestamp && !!st?.podIP && (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
};

export interface ProbeRound {
  /** Pods Ready (and not terminating) in the API. */
  ready: number;
  /** Versions that answered this round, one per answering pod. */
  answers: string[];
  /** Why the pods that did not answer did not. */
  errors: string[];
  /** The first try got no answer. */
  retried?: boolean;
}

async function askReady(client: Client, namespace: string, app: string): Promise<ProbeRound> {
  const pods = (await client.resource(PODS).list({ namespace, labelSelector: `app=${app}` })).items.filter(isReady);
  const results = await Promise.allSettled(pods.map((p) => httpGet(`http://${(p.status as { podIP: string }).podIP}:8080/`, 3000)));
  return {
    ready: pods.length,
    answers: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : [])),
  };
}

export interface Prober {
  rounds: ProbeRound[];
  /** Stops polling; resolves with every round. */
  stop(): Promise<ProbeRound[]>;
  /** Resolves once a round where every answer is `version` has been seen after this call. */
  untilOnly(version: string, timeoutMs: number): Promise<void>;
}

/** Polls the Ready pods of `app` in `namespace` and asks each for its version, round after round. */
export function startProber(client: Client, namespace: string, app: string): Prober {
  const rounds: ProbeRound[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        // Like a client with one retry: a round with no answer (a pod just deleted, a request starved on a loaded
        // machine) asks the Ready pods once more before it counts as silent.
        let round = await askReady(client, namespace, app);
        if (round.answers.length === 0) round = { ...(await askReady(client, namespace, app)), retried: true };
        rounds.push(round);
      } catch {
        // The API did not answer this time: no round (the server's health is not what is measured).
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    rounds,
    stop: async () => {
      stopped = true;
      await loop;
      return rounds;
    },
    untilOnly: async (version, timeoutMs) => {
      const from = rounds.length;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (rounds.slice(from).some((r) => r.answers.length > 0 && r.answers.every((a) => a === version))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no round with only ${version} answering in ${timeoutMs} ms; last rounds: ${JSON.stringify(rounds.slice(-3))}`);
    },
  };
}

/** The distinct runs of "only this version answered" in order: [v1, v2, v1] for a rollout and its undo. */
export function versionRuns(rounds: readonly ProbeRound[]): string[] {
  const out: string[] = [];
  for (const r of rounds) {
    const only = new Set(r.answers);
    if (only.size !== 1) continue;
    const v = [...only][0] ?? '';
    if (out.at(-1) !== v) out.push(v);
  }
  return out;
}
