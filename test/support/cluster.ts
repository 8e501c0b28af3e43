// A single-node cluster for controller end-to-end suites: `minik8s server` (API server, scheduler, the chosen
// controllers, a node agent on the host's Docker, a free cluster CIDR from podnet.ts) in a temp data dir, kubectl
// against it, and a cleanup that deletes the suite's namespaces, stops the server with SIGTERM, and removes any
// container left with those namespaces' labels and the node's pod bridge network.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnApiServer, type ServerProcess } from './apiserver.js';
import { kubectl, type KubectlResult } from './kubectl.js';
import { hostPodNetworkArgs, removePodNetwork } from './podnet.js';

const run = promisify(execFile);

export interface TestCluster {
  server: ServerProcess;
  node: string;
  k(args: string[], stdin?: string, timeoutMs?: number): Promise<KubectlResult>;
  /** kubectl, failing the test unless it exits 0. */
  ok(args: string[], stdin?: string, timeoutMs?: number): Promise<string>;
  stop(namespaces: readonly string[]): Promise<void>;
}

export async function startCluster(prefix: string, controllers: string): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), `minik8s-${prefix}-`));
  const node = `${prefix}-${process.pid}`;
  // nodeipam gives the node its pod CIDR, without which the agent's pod network does not start.
  const server = await spawnApiServer({
    command: 'server',
    dataDir,
    extraArgs: [
      '--kubelet-port',
      '0',
      '--node-name',
      node,
      '--heartbeat-interval',
      '2s',
      ...(await hostPodNetworkArgs()),
      '--controllers',
      `${controllers},nodeipam`,
    ],
  });
  const k = (args: string[], stdin?: string, timeoutMs?: number): Promise<KubectlResult> =>
    kubectl(args, { kubeconfig: server.kubeconfig, ...(stdin !== undefined ? { stdin } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  const ok = async (args: string[], stdin?: string, timeoutMs?: number): Promise<string> => {
    const r = await k(args, stdin, timeoutMs);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const stop = async (namespaces: readonly string[]): Promise<void> => {
    for (const ns of namespaces) await k(['delete', 'namespace', ns, '--ignore-not-found', '--timeout=120s'], undefined, 130_000).catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
      const t = setTimeout(() => void server.kill().then(resolve), 15_000);
      server.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      server.child.kill('SIGTERM');
    });
    for (const ns of namespaces) {
      const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=io.minik8s.pod.namespace=${ns}`]).catch(() => ({ stdout: '' }));
      const ids = stdout.split('\n').filter(Boolean);
      if (ids.length) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
    }
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { server, node, k, ok, stop };
}

/** A Namespace manifest. */
export function namespaceYaml(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
}

/** A ReplicaSet of busybox pods that sleep, stop at once on SIGTERM, and never pull. */
/**
 * A ReplicaSet of busybox pods that exit at once on SIGTERM; with `slowStop`, they ignore SIGTERM and are killed at
 * the end of a grace period of that many seconds (a deletion that must stay observable for a while).
 */
export function replicaSetYaml(o: { name: string; namespace: string; replicas: number; slowStop?: number }): string {
  const trap = o.slowStop ? "trap '' TERM" : "trap 'exit 0' TERM";
  return `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${o.name}
  namespace: ${o.namespace}
spec:
  replicas: ${o.replicas}
  selector:
    matchLabels: {app: ${o.name}}
  template:
    metadata:
      labels: {app: ${o.name}}
    spec:
      terminationGracePeriodSeconds: ${o.slowStop ?? 2}
      containers:
      - name: c
        image: busybox:1.36
        imagePullPolicy: Never
        command: ["sh", "-c", "${trap}; sleep 3600 & wait"]
`;
}
