// A node's Docker Engine: dockerd entered into the node's network namespace with nsenter (not
// `ip netns exec`, which remounts /sys and hides the cgroup mounts dockerd needs), with its own
// data root, exec root, socket, containerd namespace and cgroup parent. `--bridge none` is safe
// here (in the host's namespace it would delete docker0): the agent makes the pod bridge itself.

import { join } from 'node:path';
import type { NodePlan } from './plan.js';
import { alive, readPid, sh, startDetached, stopPid, tail, trySh } from './proc.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const enginePidFile = (node: NodePlan): string => join(node.dir, 'docker.pid');

export function startNodeEngine(node: NodePlan): number {
  return startDetached(
    'nsenter',
    [
      `--net=/var/run/netns/${node.netns}`,
      'dockerd',
      '--data-root',
      join(node.dir, 'data'),
      '--exec-root',
      join(node.dir, 'exec'),
      '-H',
      node.dockerHost,
      '--pidfile',
      enginePidFile(node),
      '--cgroup-parent',
      node.cgroupParent,
      '--containerd-namespace',
      node.containerdNamespace,
      '--bridge',
      'none',
      '--iptables=false',
      '--ip-masq=false',
      '--userland-proxy=false',
    ],
    // dockerd writes its own pid file; this one holds the same pid (nsenter execs dockerd).
    { log: join(node.dir, 'dockerd.log'), pidFile: join(node.dir, 'dockerd.pid') },
  );
}

export const docker = (node: NodePlan, args: readonly string[], input?: string): Promise<string> =>
  sh('docker', ['-H', node.dockerHost, ...args], input === undefined ? {} : { input });

export async function waitEngine(node: NodePlan, pid: number, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if ((await trySh('docker', ['-H', node.dockerHost, 'version', '--format', '{{.Server.Version}}'])) !== undefined) return;
    if (!alive(pid)) throw new Error(`dockerd of ${node.name} exited; last lines of its log:\n${tail(join(node.dir, 'dockerd.log'))}`);
    if (Date.now() > end) throw new Error(`dockerd of ${node.name} did not answer within ${timeoutMs} ms; log:\n${tail(join(node.dir, 'dockerd.log'))}`);
    await sleep(100);
  }
}

/** Loads a `docker save` archive into a node's engine. */
export async function loadImages(node: NodePlan, archive: string): Promise<void> {
  await sh('sh', ['-c', 'docker -H "$1" load -q < "$2"', 'load', node.dockerHost, archive]);
}

/** Removes the node's containers (killed: busybox ignores SIGTERM), then stops its engine. */
export async function stopNodeEngine(node: NodePlan): Promise<void> {
  const pid = readPid(join(node.dir, 'dockerd.pid')) ?? readPid(enginePidFile(node));
  if (pid === undefined || !alive(pid)) return;
  const ids = ((await trySh('docker', ['-H', node.dockerHost, 'ps', '-aq'])) ?? '').split('\n').filter((s) => s !== '');
  if (ids.length) await trySh('docker', ['-H', node.dockerHost, 'rm', '-f', ...ids]);
  await stopPid(pid, 20_000);
}
