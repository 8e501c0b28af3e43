// Manifests and probes shared by the Service end-to-end suites: HTTP backends that answer with their own name
// (busybox httpd) and are ready while /www/ready exists, and a client pod that fetches through wget.

import type { KubectlResult } from './kubectl.js';
import { until } from './until.js';

/** A backend pod named `name` serving its name on port 8080 (named `http`), ready while /www/ready exists. */
export function backendPod(name: string, opts: { app: string; nodeName?: string }): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: opts.app } },
    spec: {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'httpd',
          image: 'busybox:1.36',
          imagePullPolicy: 'Never',
          command: ['sh', '-c', `mkdir -p /www && echo ${name} > /www/index.html && touch /www/ready && exec httpd -f -p 8080 -h /www`],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
        },
      ],
    },
  };
}

export function clientPod(name: string, nodeName?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { role: 'client' } },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
    },
  };
}

export function service(name: string, opts: { app: string; type?: 'ClusterIP' | 'NodePort' }): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { type: opts.type ?? 'ClusterIP', selector: { app: opts.app }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
  };
}

/** A shell loop fetching `url` n times, one line per answer (`ERR` for a failed fetch). */
export function fetchLoop(url: string, n: number): string[] {
  return ['sh', '-c', `for i in $(seq ${n}); do timeout 10 wget -qO- ${url} || echo ERR; done`];
}

/** Lines that are answers; fails loudly when the loop saw errors. */
export function answers(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Turns backend `pod` of Service `web` not-ready (removes /www/ready), waits until the Service's Endpoints are exactly
 * `remaining`, then until six fetches through `ip` from the `client` pod all come from other backends. Returns the
 * `rm`'s exit code and those answers for the caller to assert on.
 */
export async function turnNotReady(
  k: (args: string[]) => Promise<KubectlResult>,
  pod: string,
  remaining: string[],
  ip: string,
): Promise<{ rmCode: number; answers: string[] }> {
  const rmCode = (await k(['exec', pod, '--', 'rm', '/www/ready'])).code;
  await until(
    `${pod} to leave the ready endpoints`,
    async () => {
      const r = await k(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].targetRef.name}']);
      return r.stdout.split(' ').sort().join(',') === [...remaining].sort().join(',') ? true : undefined;
    },
    20_000,
  );
  const seen = await until(
    `answers without ${pod}`,
    async () => {
      const lines = answers((await k(['exec', 'client', '--', ...fetchLoop(`http://${ip}/`, 6)])).stdout);
      return lines.length === 6 && !lines.includes(pod) ? lines : undefined;
    },
    10_000,
  );
  return { rmCode, answers: seen };
}
