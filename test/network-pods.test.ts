// The pod network across nodes, on the multi-node lab (three network namespaces, an engine and an agent
// each, the control plane on the host): every node gets its own /24 of the lab's cluster CIDR, pods get
// addresses from it, a pod on node 1 reaches pods on nodes 2 and 3 by IP over the VXLAN overlay and is seen
// there with its own address (no masquerade between pods); a node that leaves is removed from every other
// node's routes, neighbours and FDB; an agent stopped with --cleanup leaves no bridge network, VXLAN device,
// route or nft table behind.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/apiserver.js';
import { startLab, type Lab } from './support/lab.js';
import { until } from './support/until.js';

/** A pod pinned to a node that answers HTTP on 8080 with the client's address (busybox httpd CGI REMOTE_ADDR). */
function echoPod(name: string, node: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const script = [
    'mkdir -p /www/cgi-bin',
    `printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip`,
    'chmod +x /www/cgi-bin/ip',
    "trap 'exit 0' TERM",
    'httpd -f -p 8080 -h /www & wait',
  ].join('; ');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'netpods' } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': node },
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sh', '-c', script] }],
      ...extra,
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await until(`process ${pid} to exit`, () => Promise.resolve(pidAlive(pid) ? undefined : true), 30_000);
}

describe('pod network and VXLAN overlay (lab, 3 nodes)', () => {
  let lab: Lab | undefined;
  let agent: ChildProcess | undefined;
  after(async () => {
    if (agent?.pid && agent.exitCode === null) await stopPid(agent.pid);
    await lab?.stop();
  });

  it('routes pod to pod across nodes with real source IPs, drops a node that leaves, and cleans up on --cleanup', async () => {
    const l = (lab = await startLab({ nodes: 3 }));
    const names = l.nodes.map((n) => n.name);
    const k = async (args: string[], stdin?: string): Promise<string> => {
      const r = await l.kubectl(args, stdin === undefined ? {} : { stdin });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const routesOf = async (i: number): Promise<string[]> => {
      const r = await l.exec(i, ['ip', '-4', 'route', 'show', 'dev', 'minik8s.1']);
      return r.code === 0 ? r.stdout.split('\n').filter(Boolean) : [];
    };

    // Every node has a distinct /24 of the lab's cluster CIDR and publishes its VTEP.
    const nodes = await until('every node to have a podCIDR and VTEP annotations', async () => {
      const out = await k([
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR} {.metadata.annotations.minik8s\\.io/vtep-mac} {.metadata.annotations.minik8s\\.io/public-ip}{"\\n"}{end}',
      ]);
      const rows = out
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' '));
      return rows.length === 3 && rows.every((r) => r.length === 4 && r.every(Boolean))
        ? new Map(rows.map((r) => [r[0] ?? '', { cidr: r[1] ?? '', mac: r[2] ?? '', ip: r[3] ?? '' }]))
        : undefined;
    });
    const cidrs = names.map((n) => nodes.get(n)?.cidr ?? '');
    assert.equal(new Set(cidrs).size, 3, `distinct podCIDRs: ${cidrs.join(' ')}`);
    for (const n of l.nodes) assert.equal(nodes.get(n.name)?.ip, n.ip, `${n.name} publishes its node IP`);

    // Each node routes the other two nodes' pod CIDRs over minik8s.1 (onlink via the peer's VTEP address).
    for (let i = 0; i < 3; i++) {
      const want = cidrs.filter((_, j) => j !== i).map((c) => `${c} via ${c.split('/')[0] ?? ''} onlink`);
      await until(`node ${i + 1}'s overlay routes`, async () => {
        const routes = await routesOf(i);
        return want.every((w) => routes.some((r) => r.startsWith(w))) ? routes : undefined;
      });
      const fdb = (await l.exec(i, ['bridge', 'fdb', 'show', 'dev', 'minik8s.1'])).stdout;
      for (const [j, n] of l.nodes.entries())
        if (j !== i) assert.match(fdb, new RegExp(`${nodes.get(n.name)?.mac ?? 'x'} dst ${n.ip.replace(/\./g, '\\.')} self permanent`));
    }

    // Echo pods on every node, a client on node 1, and a hostNetwork pod on node 2.
    const manifests = [
      ...names.map((n, i) => echoPod(`echo-${i + 1}`, n)),
      echoPod('client', names[0] ?? ''),
      echoPod('hostnet', names[1] ?? '', { hostNetwork: true }),
    ];
    await k(['create', '-f', '-'], manifests.map((m) => JSON.stringify(m)).join('\n'));
    const ips = await until(
      'the pods to run with IPs',
      async () => {
        const out = await k([
          'get',
          'pods',
          '-l',
          'app=netpods',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.podIP}{"\\n"}{end}',
        ]);
        const rows = out
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' '));
        return rows.length === 5 && rows.every((r) => r[1] === 'Running' && r[2]) ? new Map(rows.map((r) => [r[0] ?? '', r[2] ?? ''])) : undefined;
      },
      90_000,
    );
    const inCidr = (ip: string, cidr: string): boolean => ip.split('.').slice(0, 3).join('.') === cidr.split('.').slice(0, 3).join('.');
    for (let i = 0; i < 3; i++)
      assert.ok(inCidr(ips.get(`echo-${i + 1}`) ?? '', cidrs[i] ?? ''), `echo-${i + 1} got ${ips.get(`echo-${i + 1}`)} outside ${cidrs[i]}`);
    assert.equal(ips.get('hostnet'), l.nodes[1]?.ip, 'a hostNetwork pod has the node IP');
    const clientIP = ips.get('client') ?? '';
    assert.ok(inCidr(clientIP, cidrs[0] ?? ''));

    // Pod to pod, across nodes, by IP: the answer is the address the server saw, the client's own.
    for (const target of ['echo-2', 'echo-3', 'echo-1', 'hostnet']) {
      const seen = await until(
        `client → ${target}`,
        async () => {
          const r = await l.kubectl(['exec', 'client', '--', 'timeout', '5', 'wget', '-qO-', `http://${ips.get(target) ?? ''}:8080/cgi-bin/ip`]);
          // httpd listens on IPv6 too: an IPv4 peer reads as [::ffff:a.b.c.d].
          const addr = r.stdout.trim().replace(/^\[::ffff:(.*)\]$/, '$1');
          return r.code === 0 && addr ? addr : undefined;
        },
        30_000,
      );
      // Pod to pod keeps the client's address; traffic leaving the pod CIDRs (to a node's own address) is masqueraded.
      const expected = target === 'hostnet' ? (l.nodes[0]?.ip ?? '') : clientIP;
      assert.equal(seen, expected, `${target} saw the client as ${seen}, expected ${expected}`);
    }

    // Node 3 leaves: its agent stops, its Node is deleted, and nodes 1 and 2 drop its routes, neighbour and FDB entry.
    const n3 = l.nodes[2];
    assert.ok(n3);
    await k(['delete', 'pod', 'echo-3', '--grace-period=1', '--timeout=60s']);
    await stopPid(Number(readFileSync(join(n3.dir, 'agent.pid'), 'utf8').trim()));
    await k(['delete', 'node', n3.name]);
    for (const i of [0, 1]) {
      await until(`node ${i + 1} to forget ${n3.name}`, async () => {
        const routes = await routesOf(i);
        const neigh = (await l.exec(i, ['ip', 'neigh', 'show', 'dev', 'minik8s.1'])).stdout;
        const fdb = (await l.exec(i, ['bridge', 'fdb', 'show', 'dev', 'minik8s.1'])).stdout;
        const gone =
          !routes.some((r) => r.startsWith(cidrs[2] ?? 'x')) && !neigh.includes(`${(cidrs[2] ?? '').split('/')[0] ?? 'x'} `) && !fdb.includes(`dst ${n3.ip} `);
        const kept = routes.some((r) => r.startsWith(cidrs[1 - i] ?? 'x'));
        return gone && kept ? true : undefined;
      });
    }

    // Node 3 rejoins with an agent run with --cleanup; stopping it removes everything it made in its namespace.
    agent = spawn(
      'ip',
      [
        'netns',
        'exec',
        n3.netns,
        process.execPath,
        join(REPO_ROOT, 'dist/src/cmd/main.js'),
        'agent',
        '--server',
        `https://${l.hostIP}:${l.port}`,
        '--token',
        readFileSync(join(l.state.plan.serverDir, 'node-token'), 'utf8').trim(),
        '--ca-file',
        join(l.state.plan.serverDir, 'tls', 'ca.crt'),
        '--node-name',
        n3.name,
        '--node-ip',
        n3.ip,
        '--docker-host',
        n3.dockerHost,
        '--root-dir',
        join(n3.dir, 'agent'),
        '--kubelet-port',
        '0',
        '--cleanup',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let agentErr = '';
    agent.stderr?.on('data', (c: Buffer) => (agentErr = (agentErr + c.toString()).slice(-4000)));
    const rejoined = await until(`${n3.name} to rejoin with a podCIDR (agent: ${agentErr})`, async () => {
      const out = await l.kubectl(['get', 'node', n3.name, '-o', 'jsonpath={.spec.podCIDR}']);
      return out.code === 0 && out.stdout ? out.stdout : undefined;
    });
    await until(`node 1 to route ${rejoined} again`, async () => ((await routesOf(0)).some((r) => r.startsWith(rejoined)) ? true : undefined));
    await until(`node 3's own network to be up`, async () => {
      const [link, table, net] = await Promise.all([
        l.exec(2, ['ip', 'link', 'show', 'minik8s.1']),
        l.exec(2, ['nft', 'list', 'table', 'ip', 'minik8s-podnet']),
        l.docker(2, ['network', 'ls', '--format', '{{.Name}}']),
      ]);
      return link.code === 0 && table.code === 0 && net.stdout.includes(`minik8s-${n3.name}`) ? true : undefined;
    });
    await until('the agent to finish starting', () => Promise.resolve(agentErr.includes('node agent running') ? true : undefined));
    await stopPid(agent.pid ?? 0);
    const [link, table, net, routes] = await Promise.all([
      l.exec(2, ['ip', 'link', 'show', 'minik8s.1']),
      l.exec(2, ['nft', 'list', 'tables']),
      l.docker(2, ['network', 'ls', '--format', '{{.Name}}']),
      l.exec(2, ['ip', '-4', 'route', 'show']),
    ]);
    assert.notEqual(link.code, 0, `minik8s.1 still exists after --cleanup: ${link.stdout}\nagent exit ${String(agent.exitCode)}, stderr:\n${agentErr}`);
    assert.doesNotMatch(table.stdout, /minik8s-podnet/, 'the nft table is gone');
    assert.doesNotMatch(net.stdout, new RegExp(`minik8s-${n3.name}`), 'the bridge network is gone');
    for (const c of [...cidrs, rejoined])
      assert.ok(!routes.stdout.includes(c.split('/')[0] ?? 'x'), `no route to ${c} is left on ${n3.name}:\n${routes.stdout}`);
  });
});
