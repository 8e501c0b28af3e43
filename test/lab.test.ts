// The multi-node lab (`minik8s lab up|down`, src/lab): three simulated hosts come up Ready, each in
// its own network namespace with its own engine and a distinct podCIDR routed from the host; the
// scheduler places pods on every node and each runs on that node's engine; `down` leaves nothing
// behind: no namespaces, links, routes, processes, nft tables, mounts, cgroups or files.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab, type Lab } from './support/lab.js';
import { until } from './support/until.js';

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

function pidsOf(lab: Lab): number[] {
  const files = [join(lab.state.plan.dir, 'server.pid'), ...lab.nodes.flatMap((n) => ['agent.pid', 'dockerd.pid'].map((f) => join(n.dir, f)))];
  return files.map((f) => Number(readFileSync(f, 'utf8').trim()));
}

function pod(name: string, node: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'lab' } },
    spec: {
      hostNetwork: true,
      nodeSelector: { 'kubernetes.io/hostname': node },
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: 'busybox:1.36',
          imagePullPolicy: 'Never',
          command: ['sh', '-c', "ip -4 -o addr show eth0; trap 'exit 0' TERM; sleep 1000 & wait"],
        },
      ],
    },
  });
}

/**
 * The host namespace's nft tables, less those of agents running in the host's own namespace (suites on the host's
 * Docker may run beside this one and make them): the lab runs no agent there, so any other new table is its leftover.
 */
function hostTables(): string {
  return sh('nft', ['list', 'tables'])
    .split('\n')
    .filter((t) => !/^table ip (minik8s-podnet|minik8s-proxy\S*)$/.test(t))
    .join('\n');
}

describe('minik8s lab', () => {
  let lab: Lab | undefined;
  after(async () => {
    await lab?.stop();
  });

  it('brings up three Ready nodes, runs a pod on each, and down leaves nothing behind', async () => {
    const tablesBefore = hostTables();
    const started = Date.now();
    lab = await startLab({ nodes: 3 });
    const upMs = Date.now() - started;
    const l = lab;
    const nodes = l.nodes.map((n) => n.name);

    const ready = await l.kubectl([
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.spec.podCIDR}{"\\n"}{end}',
    ]);
    const rows = ready.stdout.trim().split('\n').sort();
    assert.equal(rows.length, 3, `nodes: ${ready.stdout}${ready.stderr}`);
    const cidrs = new Set<string>();
    for (const [i, row] of rows.entries()) {
      const [name, status, cidr] = row.split(' ');
      assert.equal(name, nodes[i]);
      assert.equal(status, 'True', `node ${name} is not Ready: ${row}`);
      assert.ok(cidr, `node ${name} has no podCIDR: ${row}`);
      cidrs.add(cidr);
      // The host reaches each node's pods through the node.
      assert.match(sh('ip', ['route', 'show', cidr]), new RegExp(`via ${l.nodes[i]?.ip ?? ''} `));
    }
    assert.equal(cidrs.size, 3, `podCIDRs must differ: ${[...cidrs].join(', ')}`);

    // Every node is its own host: its own namespace and address, reachable from the host leg.
    for (const [i, n] of l.nodes.entries()) {
      const addr = await l.exec(i, ['ip', '-4', '-o', 'addr', 'show', 'eth0']);
      assert.match(addr.stdout, new RegExp(` ${n.ip.replaceAll('.', '\\.')}/24 `), addr.stderr);
      const ping = await l.exec(i, ['busybox', 'ping', '-c', '1', '-W', '2', l.hostIP]);
      assert.equal(ping.code, 0, `${n.name} cannot reach the host leg ${l.hostIP}: ${ping.stdout}${ping.stderr}`);
    }

    const created = await l.kubectl(['create', '-f', '-'], { stdin: nodes.map((n, i) => pod(`p${i}`, n)).join('\n') });
    assert.equal(created.code, 0, created.stderr);
    await until(
      async () => `pods Running on each node: ${(await l.kubectl(['get', 'pods', '-o', 'wide'])).stdout}`,
      async () => {
        const r = await l.kubectl([
          'get',
          'pods',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.nodeName} {.status.hostIP}{"\\n"}{end}',
        ]);
        const lines = r.stdout.trim().split('\n');
        return lines.length === 3 && lines.every((x) => x.split(' ')[1] === 'Running') ? lines : undefined;
      },
      60_000,
    );
    for (const [i, n] of l.nodes.entries()) {
      // The pod's containers run on that node's own engine, and see that node's network.
      const ps = await l.docker(i, ['ps', '-q', '--filter', `label=io.minik8s.pod.name=p${i}`]);
      assert.ok(ps.stdout.trim().split('\n').length >= 2, `node ${n.name}'s engine runs no containers of p${i}: ${ps.stdout}${ps.stderr}`);
      const logs = await l.kubectl(['logs', `p${i}`]);
      assert.match(logs.stdout, new RegExp(`inet ${n.ip.replaceAll('.', '\\.')}/24`), `logs of p${i}: ${logs.stdout}${logs.stderr}`);
    }
    process.stderr.write(`lab up (3 nodes) took ${upMs} ms\n`);

    const pids = pidsOf(l);
    assert.ok(pids.every(alive), `lab processes: ${pids.join(', ')}`);
    const hostLink = l.state.plan.hostLink;
    const dir = l.state.plan.dir;
    const netns = [l.state.plan.fabricNetns, ...l.nodes.map((n) => n.netns)];
    await l.stop();

    const left: string[] = [];
    const nsList = sh('ip', ['netns', 'list']);
    for (const ns of netns) if (nsList.includes(ns)) left.push(`netns ${ns}`);
    if (sh('ip', ['-o', 'link']).includes(`${hostLink}@`)) left.push(`link ${hostLink}`);
    for (const c of cidrs) if (sh('ip', ['route', 'show', c]).trim() !== '') left.push(`route ${c}`);
    for (const p of pids) if (alive(p)) left.push(`process ${p}`);
    if (hostTables() !== tablesBefore) left.push(`nft tables: ${hostTables()}`);
    if (readFileSync('/proc/self/mountinfo', 'utf8').includes(dir)) left.push(`mounts under ${dir}`);
    if (existsSync(dir)) left.push(`dir ${dir}`);
    for (const n of l.nodes) if (existsSync(join('/sys/fs/cgroup/memory', n.cgroupParent))) left.push(`cgroup ${n.cgroupParent}`);
    assert.deepEqual(left, [], 'lab down left these behind');
  });
});
