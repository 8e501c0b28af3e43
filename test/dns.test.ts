// Cluster DNS from inside pods, on a two-node lab (test/support/lab.ts): pods get the kube-dns
// Service IP and the namespace search list in resolv.conf; service names (full and short), names in
// other namespaces, kubernetes.default, headless services (every pod IP, and one by dashed IP), SRV
// for named ports and NXDOMAIN resolve through the service proxy to the DNS server in `minik8s server`;
// other names go to an upstream, here a fake DNS server this test runs (no real one is reachable).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { CLASS_IN, decode, encode, RCODE, type Message } from '../src/dns/message.js';
import { startLab, type Lab } from './support/lab.js';
import { until } from './support/until.js';

const UPSTREAM_IP = '203.0.113.77';

function podManifest(name: string, node: string, labels: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sh', '-c', "trap 'exit 0' TERM; sleep 1000 & wait"] }],
    },
  };
}

function service(name: string, namespace: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec } };
}

describe('cluster DNS from inside pods', () => {
  let upstream: Socket;
  const upstreamSeen: string[] = [];
  let lab: Lab | undefined;

  before(async () => {
    // The fake upstream: example.test names get an address, everything else NXDOMAIN.
    upstream = createSocket('udp4');
    upstream.on('message', (b, rinfo) => {
      const q = decode(b);
      const name = q.questions[0]?.name ?? '';
      upstreamSeen.push(name);
      const known = name.endsWith('example.test') && q.questions[0]?.type === 1;
      const r: Message = {
        ...q,
        flags: { ...q.flags, qr: true, ra: true, rcode: name.endsWith('example.test') ? RCODE.NOERROR : RCODE.NXDOMAIN },
        answers: known ? [{ name, class: CLASS_IN, ttl: 30, data: { type: 'A', address: UPSTREAM_IP } }] : [],
      };
      upstream.send(encode(r), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    lab = await startLab({ nodes: 2, serverFlags: [`--dns-upstream=127.0.0.1:${upstream.address().port}`] });
  });

  after(async () => {
    await lab?.stop();
    upstream.close();
  });

  it('resolves service names, short forms, headless services, SRV, kubernetes.default, NXDOMAIN and upstream names', async () => {
    const l = lab;
    assert.ok(l);
    const [n1, n2] = [l.nodes[0]?.name ?? '', l.nodes[1]?.name ?? ''];
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
      podManifest('srv-0', n1, { app: 'web' }),
      podManifest('srv-1', n2, { app: 'web' }),
      podManifest('client', n2, { app: 'client' }),
      service('web', 'default', { selector: { app: 'web' } }),
      service('web-hl', 'default', { selector: { app: 'web' }, clusterIP: 'None' }),
      service('api', 'other', {}),
    ];
    const created = await l.kubectl(['create', '-f', '-'], { stdin: objects.map((o) => JSON.stringify(o)).join('\n') });
    assert.equal(created.code, 0, created.stderr);

    const jsonpath = async (args: string[]): Promise<string> => (await l.kubectl([...args, '-o', 'jsonpath={.items[*].status.podIP}'])).stdout.trim();
    const podIPs = await until(
      async () => `three Running pods with IPs: ${(await l.kubectl(['get', 'pods', '-o', 'wide'])).stdout}`,
      async () => {
        const r = await l.kubectl(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.podIP}{"\\n"}{end}']);
        const rows = r.stdout.trim().split('\n');
        return rows.length === 3 && rows.every((x) => x.split(' ')[1] === 'Running' && (x.split(' ')[2] ?? '') !== '')
          ? await jsonpath(['get', 'pods', '-l', 'app=web'])
          : undefined;
      },
      90_000,
    );
    const webIPs = podIPs.split(' ').sort();
    const clusterIP = async (name: string, ns = 'default'): Promise<string> =>
      (await l.kubectl(['get', 'svc', name, '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    const [webIP, apiIP, kubeIP] = [await clusterIP('web'), await clusterIP('api', 'other'), await clusterIP('kubernetes')];
    assert.match(webIP, /^10\.9[6-9]|^10\.1[01]\d\./, `web's cluster IP: ${webIP}`);
    await until('web-hl Endpoints with both pods', async () => {
      const r = await l.kubectl(['get', 'endpoints', 'web-hl', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
      return r.stdout.trim().split(' ').sort().join(' ') === webIPs.join(' ') ? true : undefined;
    });

    const exec = async (cmd: string[]): Promise<string> => {
      const r = await l.kubectl(['exec', 'client', '--', ...cmd], { timeoutMs: 30_000 });
      return `${r.stdout}${r.stderr}`;
    };
    // busybox nslookup asks for every search-list expansion at once and prints each answer as "Name: N / Address: IP".
    const lookup = async (name: string, type = 'A'): Promise<{ text: string; addrs: Map<string, string[]> }> => {
      const text = await exec(['nslookup', `-type=${type}`, name]);
      const addrs = new Map<string, string[]>();
      for (const m of text.matchAll(/Name:\s+(\S+)\nAddress:\s+([\d.]+)/g)) addrs.set(m[1] ?? '', [...(addrs.get(m[1] ?? '') ?? []), m[2] ?? '']);
      return { text, addrs };
    };

    // Pods point at the kube-dns Service with the namespace's search list (the agent writes resolv.conf).
    const resolv = await exec(['cat', '/etc/resolv.conf']);
    assert.match(resolv, /^nameserver 10\.96\.0\.10$/m, resolv);
    assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m, resolv);
    assert.match(resolv, /^options ndots:5$/m, resolv);

    const full = await lookup('web.default.svc.cluster.local');
    assert.deepEqual(full.addrs.get('web.default.svc.cluster.local'), [webIP], full.text);
    assert.match(full.text, /Server:\s+10\.96\.0\.10/, 'answered through the kube-dns Service IP');
    const short = await lookup('web');
    assert.deepEqual(short.addrs.get('web.default.svc.cluster.local'), [webIP], short.text);
    // busybox nslookup expands only dotless names; dotted short forms are resolved through libc below.
    const other = await lookup('api.other.svc.cluster.local');
    assert.deepEqual(other.addrs.get('api.other.svc.cluster.local'), [apiIP], other.text);
    const kube = await lookup('kubernetes.default.svc.cluster.local');
    assert.deepEqual(kube.addrs.get('kubernetes.default.svc.cluster.local'), [kubeIP], kube.text);
    assert.equal(kubeIP, '10.96.0.1');

    // libc's resolver (ping's getaddrinfo) walks the search list for names with fewer than 5 dots.
    for (const [name, ip] of [
      ['web', webIP],
      ['kubernetes.default', kubeIP],
      ['api.other', apiIP],
    ] as const) {
      const ping = await exec(['ping', '-c', '1', '-W', '1', name]);
      assert.match(ping, new RegExp(`^PING ${name.replaceAll('.', '\\.')} \\(${ip.replaceAll('.', '\\.')}\\)`, 'm'), ping);
    }

    // Headless: every ready pod, and one pod by its dashed IP.
    const hl = await lookup('web-hl.default.svc.cluster.local');
    assert.deepEqual([...(hl.addrs.get('web-hl.default.svc.cluster.local') ?? [])].sort(), webIPs, hl.text);
    const dashed = `${(webIPs[0] ?? '').replaceAll('.', '-')}.web-hl.default.svc.cluster.local`;
    assert.deepEqual((await lookup(dashed)).addrs.get(dashed), [webIPs[0]]);

    const srv = await lookup('_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.match(srv.text, /_http\._tcp\.web\.default\.svc\.cluster\.local\s+service = 0 100 80 web\.default\.svc\.cluster\.local/, srv.text);

    const nx = await lookup('nope.default.svc.cluster.local');
    assert.match(nx.text, /can't find nope\.default\.svc\.cluster\.local: NXDOMAIN/, nx.text);
    assert.equal(nx.addrs.size, 0, nx.text);

    const ext = await lookup('www.example.test');
    assert.deepEqual(ext.addrs.get('www.example.test'), [UPSTREAM_IP], ext.text);
    assert.ok(upstreamSeen.includes('www.example.test'), `the upstream saw: ${upstreamSeen.join(', ')}`);
    assert.deepEqual(
      upstreamSeen.filter((n) => n.endsWith('cluster.local')),
      [],
      'names in the cluster domain are answered, never forwarded',
    );
  });
});
