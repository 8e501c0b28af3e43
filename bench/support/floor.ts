// The pod start-up floor: the host's Docker Engine starting a pod's containers directly (dockerode, every pod
// at once): a pause sandbox, then the pod's busybox containers joined to its network and IPC namespaces.
// bench:pods (two-container pods) and bench:controllers (one-container ReplicaSet pods) measure against it.

import type Dockerode from 'dockerode';

export const FLOOR_IMAGE = 'busybox:1.36';
export const FLOOR_PAUSE = 'minik8s/pause:1';
/** Exits at once on SIGTERM (busybox `sleep` as PID 1 would ignore it and cost the grace period). */
export const FLOOR_MAIN = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

export interface Burst {
  /** Per pod (or replica, where known): milliseconds from its create to it running. */
  perPod: number[];
  /** Milliseconds from the first create to the last one running. */
  allMs: number;
}

export async function containerIds(docker: Dockerode, label: string): Promise<string[]> {
  return (await docker.listContainers({ all: true, filters: { label: [label] } })).map((c) => c.Id);
}

/** Force-removes every container carrying one of these labels (a bench's clean-up); errors are ignored. */
export async function removeLabelled(docker: Dockerode, labels: string[]): Promise<void> {
  for (const label of labels)
    await Promise.all(
      (await containerIds(docker, label)).map((id) =>
        docker
          .getContainer(id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
}

/**
 * Start `n` pods' containers directly, all at once, and remove them again. Containers carry the label
 * `io.minik8s.bench=RUNID-floor` (for a clean-up after a crash) and are named `RUNID-floor-ROUND-I-…`.
 */
export async function floorBurst(docker: Dockerode, n: number, opts: { runId: string; round: number; containers: string[] }): Promise<Burst> {
  const label = `io.minik8s.bench=${opts.runId}-floor`;
  const labels = { 'io.minik8s.bench': `${opts.runId}-floor` };
  const t0 = performance.now();
  const perPod = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const start = performance.now();
      const name = `${opts.runId}-floor-${opts.round}-${i}`;
      const sandbox = await docker.createContainer({
        name: `${name}-pause`,
        Image: FLOOR_PAUSE,
        Labels: labels,
        HostConfig: { NetworkMode: 'bridge', IpcMode: 'shareable' },
      });
      await sandbox.start();
      await Promise.all(
        opts.containers.map(async (c) => {
          const ctr = await docker.createContainer({
            name: `${name}-${c}`,
            Image: FLOOR_IMAGE,
            Cmd: FLOOR_MAIN,
            Labels: labels,
            HostConfig: { NetworkMode: `container:${sandbox.id}`, IpcMode: `container:${sandbox.id}` },
          });
          await ctr.start();
        }),
      );
      return performance.now() - start;
    }),
  );
  const allMs = performance.now() - t0;
  await Promise.all((await containerIds(docker, label)).map((id) => docker.getContainer(id).remove({ force: true })));
  return { perPod, allMs };
}
