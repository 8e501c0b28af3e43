// The runtime contract against the real Docker Engine (/var/run/docker.sock, or DOCKER_HOST=unix://...),
// plus what only Docker has: the engine's view of what the runtime created, and the pure mappings.

import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import { bootstrapImages } from '../../images.js';
import { LABELS, RuntimeError, type ContainerConfig, type PodRef } from '../runtime.js';
import { CONTRACT_LABEL, CONTRACT_RUN, runRuntimeContract } from '../runtime.contract.js';
import { containerCreateOptions, parseEngineTime } from './containers.js';
import { DockerRuntime, PAUSE_IMAGE, socketPathFromDockerHost } from './index.js';
import { extraHosts, POD_IP_LABEL, sandboxCreateOptions } from './sandbox.js';
import { FrameParser } from './streams.js';

const socketPath = socketPathFromDockerHost(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock');
const docker = new Dockerode({ socketPath });

/** Removes every container this run created, whatever a failed test left behind. */
async function sweep(): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`${CONTRACT_LABEL}=${CONTRACT_RUN}`] } });
  await Promise.all(
    left.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

before(async () => {
  try {
    await docker.version();
  } catch (e) {
    throw new Error(`the Docker Engine at ${socketPath} is not reachable (${e instanceof Error ? e.message : String(e)}): run scripts/docker.sh`);
  }
  await bootstrapImages({ socketPath });
});

after(sweep);

runRuntimeContract('docker', () => Promise.resolve({ runtime: new DockerRuntime({ socketPath }), cleanup: () => Promise.resolve() }));

const pod: PodRef = { uid: 'u-1', name: 'web-0', namespace: 'default' };

function config(over: Partial<ContainerConfig>): ContainerConfig {
  return { pod, name: 'app', role: 'container', attempt: 1, specHash: 'h', image: 'busybox:1.36', env: {}, mounts: [], tty: false, stdin: false, ...over };
}

describe('DockerRuntime on the engine', () => {
  const rt = new DockerRuntime({ socketPath });
  let n = 0;
  const ref = (name: string): PodRef => ({ uid: `docker-${CONTRACT_RUN}-${++n}`, name, namespace: 'contract' });
  const labels = { [CONTRACT_LABEL]: CONTRACT_RUN };

  it('Always uses the local image when the registry cannot be reached', async () => {
    const local = '127.0.0.1:9/minik8s-contract/local:1';
    await docker.getImage('busybox:1.36').tag({ repo: '127.0.0.1:9/minik8s-contract/local', tag: '1' });
    try {
      const r = await rt.ensureImage(local, 'Always');
      assert.equal(r.pulled, false);
      assert.equal(r.imageId, (await docker.getImage('busybox:1.36').inspect()).Id);
    } finally {
      await docker.getImage(local).remove();
    }
  });

  it('gives a sandbox its fixed IP on a user network; every object carries the pod labels', async () => {
    const net = `minik8s-contract-${CONTRACT_RUN}`;
    // Fixed addresses need a subnet of our own (as the agent's pod network has): take the first free one.
    let network: Dockerode.Network | undefined;
    let ip = '';
    for (let third = 200; !network && third < 250; third++) {
      network = await docker.createNetwork({ Name: net, Driver: 'bridge', IPAM: { Config: [{ Subnet: `10.254.${third}.0/24` }] } }).catch(() => undefined);
      ip = `10.254.${third}.77`;
    }
    assert.ok(network, 'no free subnet in 10.254.200-249.0/24 for the test network');
    try {
      const sb = await rt.createSandbox({ pod: ref('fixed'), hostname: 'fixed', hostNetwork: false, network: net, ip, labels });
      const id = await rt.createContainer(sb.id, config({ pod: sb.pod, labels, command: ['sleep', '5'] }));
      try {
        assert.equal(sb.ip, ip);
        const sbInfo = await docker.getContainer(sb.id).inspect();
        assert.equal(sbInfo.Config.Image, PAUSE_IMAGE);
        assert.equal(sbInfo.Config.Labels[LABELS.role], 'sandbox');
        assert.equal(sbInfo.Config.Labels[LABELS.podUid], sb.pod.uid);
        const info = await docker.getContainer(id).inspect();
        assert.equal(info.HostConfig.NetworkMode, `container:${sb.id}`);
        assert.equal(info.HostConfig.IpcMode, `container:${sb.id}`);
        assert.equal(info.HostConfig.LogConfig?.Type, 'json-file');
        for (const key of Object.values(LABELS)) assert.ok(key in info.Config.Labels, `label ${key} on the container`);

        const dup = ref('dup');
        await assert.rejects(rt.createSandbox({ pod: dup, hostname: 'dup', hostNetwork: false, network: net, ip, labels }), (e: unknown) => {
          assert.ok(e instanceof RuntimeError && e.reason === 'RunContainerError', `an address in use: ${String(e)}`);
          return true;
        });
        assert.ok(!(await rt.listSandboxes()).some((s) => s.pod.uid === dup.uid), 'a sandbox that cannot start is removed');
      } finally {
        await rt.removeContainer(id);
        await rt.removeSandbox(sb.id);
      }
    } finally {
      await network.remove();
    }
  });

  it('runs a host-network sandbox with the node hostname and no pod IP', async () => {
    const sb = await rt.createSandbox({ pod: ref('hostnet'), hostname: 'ignored', hostNetwork: true, labels });
    try {
      assert.equal(sb.ip, '');
      const id = await rt.createContainer(sb.id, config({ pod: sb.pod, labels, command: ['hostname'] }));
      await rt.startContainer(id);
      let out = '';
      for await (const c of await rt.logs(id, { follow: true, timestamps: false })) out += Buffer.from(c as Buffer).toString();
      assert.equal(out, `${hostname()}\n`);
      await rt.removeContainer(id);
    } finally {
      await rt.removeSandbox(sb.id);
    }
  });

  it('reports an unreachable engine as Unavailable', async () => {
    const dead = new DockerRuntime({ socketPath: '/nonexistent/docker.sock' });
    await assert.rejects(dead.version(), (e: unknown) => e instanceof RuntimeError && e.reason === 'Unavailable');
  });
});

describe('Docker mappings', () => {
  it('maps command and args with Kubernetes semantics', () => {
    const pick = (c: Partial<ContainerConfig>): unknown => {
      const o = containerCreateOptions('sb', config(c));
      return { Entrypoint: o.Entrypoint, Cmd: o.Cmd };
    };
    assert.deepEqual(pick({}), { Entrypoint: undefined, Cmd: undefined });
    assert.deepEqual(pick({ args: ['a'] }), { Entrypoint: undefined, Cmd: ['a'] });
    assert.deepEqual(pick({ command: ['c'] }), { Entrypoint: ['c'], Cmd: [] });
    assert.deepEqual(pick({ command: ['c'], args: ['a'] }), { Entrypoint: ['c'], Cmd: ['a'] });
    assert.deepEqual(pick({ command: [], args: [] }), { Entrypoint: undefined, Cmd: undefined });
  });

  it('maps limits, mounts, namespaces and labels', () => {
    const o = containerCreateOptions(
      'sb1',
      config({ cpuLimitMillis: 1500, cpuShares: 512, memoryLimitBytes: 1 << 26, mounts: [{ hostPath: '/h', containerPath: '/c', readOnly: true }] }),
    );
    const h = o.HostConfig ?? {};
    assert.deepEqual(
      { q: h.CpuQuota, p: h.CpuPeriod, s: h.CpuShares, m: h.Memory, sw: h.MemorySwap, b: h.Binds, net: h.NetworkMode, ipc: h.IpcMode, pid: h.PidMode },
      { q: 150000, p: 100000, s: 512, m: 1 << 26, sw: 1 << 26, b: ['/h:/c:ro'], net: 'container:sb1', ipc: 'container:sb1', pid: undefined },
    );
    assert.equal(containerCreateOptions('sb', config({ cpuLimitMillis: 1 })).HostConfig?.CpuQuota, 1000, 'the kernel minimum quota');
    assert.equal(o.name, 'k8s_app_web-0_default_u-1_1');
    assert.deepEqual(o.Labels, {
      [LABELS.podUid]: 'u-1',
      [LABELS.podName]: 'web-0',
      [LABELS.podNamespace]: 'default',
      [LABELS.role]: 'container',
      [LABELS.containerName]: 'app',
      [LABELS.attempt]: '1',
      [LABELS.specHash]: 'h',
    });
  });

  it('maps sandbox networking', () => {
    const base = { pod, hostname: 'web-0', hostNetwork: false };
    const def = sandboxCreateOptions(base, PAUSE_IMAGE);
    assert.equal(def.HostConfig?.NetworkMode, 'bridge');
    assert.equal(def.Hostname, 'web-0');
    const fixed = sandboxCreateOptions({ ...base, network: 'pods', ip: '10.244.1.5' }, PAUSE_IMAGE);
    assert.deepEqual(fixed.NetworkingConfig?.EndpointsConfig?.pods?.IPAMConfig, { IPv4Address: '10.244.1.5' });
    const host = sandboxCreateOptions({ ...base, hostNetwork: true }, PAUSE_IMAGE);
    assert.deepEqual(
      { net: host.HostConfig?.NetworkMode, hostname: host.Hostname, nc: host.NetworkingConfig },
      { net: 'host', hostname: undefined, nc: undefined },
    );
    assert.deepEqual(extraHosts(['10.0.0.1 a b', 'c:10.0.0.2']), ['a:10.0.0.1', 'b:10.0.0.1', 'c:10.0.0.2']);
    // The agent's own network: no engine network, the address on a label and in /etc/hosts.
    const own = sandboxCreateOptions({ ...base, ip: '10.244.1.6', hosts: ['10.0.0.9 db'], setUpNetwork: () => Promise.resolve() }, PAUSE_IMAGE);
    assert.equal(own.HostConfig?.NetworkMode, 'none');
    assert.equal(own.NetworkingConfig, undefined);
    assert.equal(own.Labels?.[POD_IP_LABEL], '10.244.1.6');
    assert.deepEqual(own.HostConfig?.ExtraHosts, ['db:10.0.0.9', 'web-0:10.244.1.6']);
  });

  it('reads the zero time as absent', () => {
    assert.equal(parseEngineTime('0001-01-01T00:00:00Z'), undefined);
    assert.equal(parseEngineTime('2024-05-01T10:00:00.123456789Z'), Date.parse('2024-05-01T10:00:00.123Z'));
  });

  it('splits multiplexed frames across arbitrary chunk boundaries', () => {
    const frame = (stream: number, s: string): Buffer => {
      const h = Buffer.alloc(8);
      h.writeUInt8(stream, 0);
      h.writeUInt32BE(Buffer.byteLength(s), 4);
      return Buffer.concat([h, Buffer.from(s)]);
    };
    const all = Buffer.concat([frame(1, 'out'), frame(2, 'err!'), frame(1, '')]);
    for (let cut = 0; cut <= all.length; cut++) {
      const p = new FrameParser();
      const frames = [...p.push(all.subarray(0, cut)), ...p.push(all.subarray(cut))];
      assert.deepEqual(
        frames.map((f) => [f.stream, f.data.toString()]),
        [
          [1, 'out'],
          [2, 'err!'],
          [1, ''],
        ],
      );
    }
  });
});
