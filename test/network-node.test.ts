// The pod network of one node on the host's Docker (`minik8s server`, as `npm run up` runs it): the Node gets a
// /24 of --cluster-cidr, pods get addresses from it on the bridge network minik8s-NODE, and after the server is
// killed and restarted (the agent with it) running pods keep their addresses and new pods never get one of them.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { kubectl } from './support/kubectl.js';
import { hostPodNetworkArgs, removePodNetwork } from './support/podnet.js';
import { until } from './support/until.js';

const run = promisify(execFile);

function pod(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'netnode' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sh', '-c', "trap 'exit 0' TERM; sleep 1000 & wait"] }],
    },
  });
}

describe('pod network on one node (host Docker)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-netnode-'));
  const node = `netnode-${process.pid}`;
  let server: ServerProcess | undefined;
  let args: string[] = [];
  const k = async (a: string[], stdin?: string): Promise<string> => {
    const r = await kubectl(a, { kubeconfig: server?.kubeconfig ?? '', ...(stdin === undefined ? {} : { stdin }) });
    assert.equal(r.code, 0, `kubectl ${a.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const start = async (): Promise<void> => {
    server = await spawnApiServer({
      command: 'server',
      dataDir,
      extraArgs: ['--kubelet-port', '0', '--node-name', node, '--heartbeat-interval', '2s', ...args],
    });
  };
  const podIPs = (): Promise<Map<string, string>> =>
    until(
      'the pods to run with IPs',
      async () => {
        const out = await k([
          'get',
          'pods',
          '-l',
          'app=netnode',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.podIP}{"\\n"}{end}',
        ]);
        const rows = out
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' '));
        return rows.length > 0 && rows.every((r) => r[1] === 'Running' && r[2]) ? new Map(rows.map((r) => [r[0] ?? '', r[2] ?? ''])) : undefined;
      },
      180_000,
    );

  after(async () => {
    if (server) await k(['delete', 'pods', '-l', 'app=netnode', '--grace-period=1', '--wait=true', '--timeout=60s']).catch(() => undefined);
    await server?.kill();
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('assigns pod IPs from the node podCIDR and keeps them unique across an agent restart', async () => {
    args = await hostPodNetworkArgs();
    await start();
    const cidr = await until('the node podCIDR', async () => (await k(['get', 'node', node, '-o', 'jsonpath={.spec.podCIDR}'])) || undefined);
    const prefix = cidr.split('.').slice(0, 3).join('.');
    assert.equal(cidr, `${args[1]?.split('.').slice(0, 2).join('.') ?? ''}.0.0/24`, 'the first /24 of the cluster CIDR');

    await k(['create', '-f', '-'], [pod('a'), pod('b')].join('\n'));
    const before = await podIPs();
    assert.deepEqual([...before.values()].sort(), [`${prefix}.2`, `${prefix}.3`]);
    const net = JSON.parse((await run('docker', ['network', 'inspect', `minik8s-${node}`])).stdout) as {
      IPAM: { Config: { Subnet: string; Gateway: string }[] };
      Options: Record<string, string>;
    }[];
    assert.deepEqual(net[0]?.IPAM.Config[0], { Subnet: cidr, Gateway: `${prefix}.1` });
    assert.equal(net[0]?.Options['com.docker.network.bridge.enable_ip_masquerade'], 'false');

    const mtu = (await k(['exec', 'a', '--', 'cat', '/sys/class/net/eth0/mtu'])).trim();
    assert.ok(Number(mtu) <= 1450 && Number(mtu) >= 1280, `pod MTU ${mtu}`);

    // The agent dies with the server (SIGKILL: no cleanup) and comes back on the same data dir.
    await server?.kill();
    const ipamDir = join(dataDir, 'agent', 'network', 'ipam', cidr.replace('/', '_'));
    assert.deepEqual(readdirSync(ipamDir).sort(), [`${prefix}.2`, `${prefix}.3`], 'allocations are on disk');
    await start();
    await k(['create', '-f', '-'], pod('c'));
    const after = await podIPs();
    assert.equal(after.get('a'), before.get('a'), 'running pods keep their addresses');
    assert.equal(after.get('b'), before.get('b'));
    assert.equal(after.get('c'), `${prefix}.4`, 'a new pod never gets an address a running pod holds');

    // A deleted pod's address is free again.
    const uidA = (await k(['get', 'pod', 'a', '-o', 'jsonpath={.metadata.uid}'])).trim();
    await k(['delete', 'pod', 'a', '--grace-period=1', '--wait=true', '--timeout=60s']);
    // Released: no allocation file names a's UID any more (the address itself may be handed out again).
    const heldBy = (): Map<string, string> => new Map(readdirSync(ipamDir).map((ip) => [ip, readFileSync(join(ipamDir, ip), 'utf8').trim()]));
    await until(
      () => `a's address to be released; allocations: ${JSON.stringify([...heldBy()])}`,
      () => Promise.resolve([...heldBy().values()].includes(uidA) ? undefined : true),
      90_000,
    );
  });
});
