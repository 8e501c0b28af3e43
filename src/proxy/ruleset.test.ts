// The ruleset, tested by tracing first packets of connections through it (trace.ts), not by comparing text.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../api/services.js';
import { servicePorts, type ServicePort } from './model.js';
import { buildRuleset, serviceChain } from './ruleset.js';
import { newTraceState, trace, type Packet, type TraceState } from './trace.js';

const CLUSTER = '10.244.0.0/16';
const NODE_IP = '192.168.5.10';
const LOCAL = [NODE_IP, '127.0.0.1', '10.244.1.1'];

function web(extra: Partial<ServicePort> = {}): ServicePort {
  return {
    id: 'default/web/tcp/http',
    clusterIP: '10.96.10.10',
    protocol: 'tcp',
    port: 80,
    endpoints: [
      { ip: '10.244.1.2', port: 8080 },
      { ip: '10.244.2.2', port: 8080 },
      { ip: '10.244.3.2', port: 8080 },
    ],
    ...extra,
  };
}

const tcp = (src: string, dst: string, dport: number): Packet => ({ src, dst, proto: 'tcp', dport });

function connect(ports: ServicePort[], pkt: Packet, from: 'remote' | 'local' = 'remote', state: TraceState = newTraceState()) {
  return trace(buildRuleset(ports, { clusterCidr: CLUSTER }), pkt, { from, local: LOCAL, state });
}

describe('proxy ruleset (traced)', () => {
  it('spreads connections from a pod over the endpoints in strict rotation, without masquerading', () => {
    const rs = buildRuleset([web()], { clusterCidr: CLUSTER });
    const state = newTraceState();
    const seen = [];
    for (let i = 0; i < 6; i++) {
      const r = trace(rs, tcp('10.244.2.7', '10.96.10.10', 80), { from: 'remote', local: LOCAL, state });
      assert.equal(r.verdict, 'accept');
      assert.equal(r.masquerade, false, 'pod-to-pod traffic keeps its source address');
      seen.push(r.dnat);
    }
    assert.deepEqual(seen, ['10.244.1.2:8080', '10.244.2.2:8080', '10.244.3.2:8080', '10.244.1.2:8080', '10.244.2.2:8080', '10.244.3.2:8080']);
  });

  it('DNATs through the service chain’s numgen map: no chain per endpoint without affinity', () => {
    const rs = buildRuleset([web({ nodePort: 30080 })], { clusterCidr: CLUSTER });
    assert.deepEqual(
      [...rs.chains.keys()].filter((n) => n.includes('default/web')).map((n) => n.split('-')[0]),
      ['service', 'external'],
    );
    const r = trace(rs, tcp('10.244.2.7', '10.96.10.10', 80), { from: 'remote', local: LOCAL, state: newTraceState() });
    assert.deepEqual(r.chains, [
      'nat-prerouting',
      'services',
      serviceChain(web()),
      'filter-forward',
      'service-endpoints-check',
      'nat-postrouting',
      'masquerading',
    ]);
    assert.deepEqual([...rs.hairpin].sort(), ['10.244.1.2 . 10.244.1.2', '10.244.2.2 . 10.244.2.2', '10.244.3.2 . 10.244.3.2']);
  });

  it('DNATs a Service with one endpoint directly, and keeps rotating each Service on its own', () => {
    const one = web({ id: 'default/one/tcp/', clusterIP: '10.96.10.11', endpoints: [{ ip: '10.244.5.5', port: 9000 }] });
    const rs = buildRuleset([web(), one], { clusterCidr: CLUSTER });
    const state = newTraceState();
    const go = (dst: string): string | undefined => trace(rs, tcp('10.244.2.7', dst, 80), { from: 'remote', local: LOCAL, state }).dnat;
    const seen = [go('10.96.10.10'), go('10.96.10.11'), go('10.96.10.10'), go('10.96.10.11'), go('10.96.10.10'), go('10.96.10.10')];
    assert.deepEqual(seen, ['10.244.1.2:8080', '10.244.5.5:9000', '10.244.2.2:8080', '10.244.5.5:9000', '10.244.3.2:8080', '10.244.1.2:8080']);
  });

  it('masquerades a pod that lands on itself through its Service (hairpin), and only then', () => {
    const state = newTraceState();
    const results = [0, 1, 2].map(() => connect([web()], tcp('10.244.2.2', '10.96.10.10', 80), 'remote', state));
    assert.deepEqual(
      results.map((r) => [r.dnat, r.masquerade]),
      [
        ['10.244.1.2:8080', false],
        ['10.244.2.2:8080', true],
        ['10.244.3.2:8080', false],
      ],
    );
    assert.ok(results[1]?.chains.includes('mark-for-masquerade'), 'the hairpin set matched in nat-postrouting');
  });

  it('hairpins through the set only after DNAT, and for Services with affinity too', () => {
    // A pod reaching its own address directly was not DNATed: the set lookup alone must not masquerade it.
    const direct = connect([web()], tcp('10.244.2.2', '10.244.2.2', 8080));
    assert.deepEqual([direct.dnat, direct.masquerade], [undefined, false]);
    const sticky = web({ affinitySeconds: 60, endpoints: [{ ip: '10.244.2.2', port: 8080 }] });
    const r = connect([sticky], tcp('10.244.2.2', '10.96.10.10', 80));
    assert.deepEqual([r.dnat, r.masquerade], ['10.244.2.2:8080', true]);
  });

  it('reaches a cluster IP from the node itself (output hook), masqueraded', () => {
    const r = connect([web()], tcp(NODE_IP, '10.96.10.10', 80), 'local');
    assert.equal(r.dnat, '10.244.1.2:8080');
    assert.equal(r.masquerade, true);
    assert.ok(r.chains.includes('nat-output'));
  });

  it('masquerades traffic to a cluster IP coming from another host', () => {
    const r = connect([web()], tcp('10.200.0.12', '10.96.10.10', 80));
    assert.equal(r.dnat, '10.244.1.2:8080');
    assert.equal(r.masquerade, true);
  });

  it('answers a NodePort on the node address, from the host and from outside, masqueraded; not on loopback nor other hosts', () => {
    const ports = [web({ nodePort: 30080 })];
    const fromHost = connect(ports, tcp(NODE_IP, NODE_IP, 30080), 'local');
    assert.deepEqual([fromHost.dnat, fromHost.masquerade], ['10.244.1.2:8080', true]);
    const fromOutside = connect(ports, tcp('10.200.0.99', NODE_IP, 30080));
    assert.deepEqual([fromOutside.dnat, fromOutside.masquerade], ['10.244.1.2:8080', true]);
    assert.equal(connect(ports, tcp('127.0.0.1', '127.0.0.1', 30080), 'local').dnat, undefined);
    assert.equal(connect(ports, tcp('10.200.0.99', '10.200.0.50', 30080)).dnat, undefined, 'a NodePort is only for this node’s addresses');
  });

  it('refuses connections to a Service without endpoints (cluster IP and NodePort), from pods and from the node', () => {
    const ports = [web({ endpoints: [], nodePort: 30081 })];
    assert.equal(connect(ports, tcp('10.244.2.7', '10.96.10.10', 80)).verdict, 'reject');
    assert.equal(connect(ports, tcp(NODE_IP, '10.96.10.10', 80), 'local').verdict, 'reject');
    assert.equal(connect(ports, tcp('10.200.0.99', NODE_IP, 30081)).verdict, 'reject');
  });

  it('leaves other traffic alone: other ports of the cluster IP, pod to pod, UDP to a TCP Service', () => {
    const ports = [web()];
    const other = connect(ports, tcp('10.244.2.7', '10.96.10.10', 81));
    assert.deepEqual([other.verdict, other.dnat, other.masquerade], ['accept', undefined, false]);
    assert.equal(connect(ports, tcp('10.244.2.7', '10.244.1.2', 8080)).dnat, undefined);
    assert.equal(connect(ports, { src: '10.244.2.7', dst: '10.96.10.10', proto: 'udp', dport: 80 }).dnat, undefined);
  });

  it('keeps a client on its endpoint with sessionAffinity ClientIP until the affinity times out', () => {
    const rs = buildRuleset([web({ affinitySeconds: 60 })], { clusterCidr: CLUSTER });
    const state = newTraceState();
    const go = (src: string): string | undefined => trace(rs, tcp(src, '10.96.10.10', 80), { from: 'remote', local: LOCAL, state }).dnat;
    const first = go('10.244.9.9');
    assert.deepEqual([go('10.244.9.9'), go('10.244.9.9')], [first, first]);
    assert.equal(first, '10.244.1.2:8080');
    assert.equal(go('10.244.8.8'), '10.244.2.2:8080', 'another client is balanced: round-robin goes on past the ones that stuck');
    state.now += 61_000;
    assert.notEqual(go('10.244.9.9'), first, 'after the timeout the client is balanced again');
  });

  it('routes each port of a multi-port Service to its own endpoints', () => {
    const dns: ServicePort = {
      id: 'kube-system/kube-dns/udp/dns',
      clusterIP: '10.96.0.10',
      protocol: 'udp',
      port: 53,
      endpoints: [{ ip: '10.200.0.1', port: 5353 }],
    };
    const dnsTcp: ServicePort = { ...dns, id: 'kube-system/kube-dns/tcp/dns-tcp', protocol: 'tcp', endpoints: [{ ip: '10.200.0.1', port: 5354 }] };
    assert.equal(connect([dns, dnsTcp], { src: '10.244.1.5', dst: '10.96.0.10', proto: 'udp', dport: 53 }).dnat, '10.200.0.1:5353');
    assert.equal(connect([dns, dnsTcp], tcp('10.244.1.5', '10.96.0.10', 53)).dnat, '10.200.0.1:5354');
  });
});

describe('proxy model', () => {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.10.10',
      ports: [
        { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP', nodePort: 30080 },
        { name: 'metrics', port: 9100, protocol: 'TCP' },
      ],
      sessionAffinity: 'ClientIP',
    },
  };
  const slice = (name: string, port: number, eps: [string, boolean][]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [
      { name: 'http', port, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ],
    endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
  });

  it('takes ready endpoints from every slice of the Service, per port, sorted', () => {
    const ports = servicePorts(
      [svc],
      [
        slice('web-a', 8080, [
          ['10.244.2.2', true],
          ['10.244.1.2', false],
        ]),
        slice('web-b', 9090, [['10.244.1.3', true]]),
      ],
    );
    assert.deepEqual(
      ports.map((p) => [p.id, p.nodePort, p.affinitySeconds, p.endpoints.map((e) => `${e.ip}:${e.port}`)]),
      [
        ['default/web/tcp/http', 30080, 10800, ['10.244.1.3:9090', '10.244.2.2:8080']],
        ['default/web/tcp/metrics', undefined, 10800, ['10.244.1.3:9100', '10.244.2.2:9100']],
      ],
    );
  });

  it('skips headless and ExternalName Services', () => {
    const headless: Service = { ...svc, spec: { ...svc.spec, clusterIP: 'None' } };
    const ext: Service = { ...svc, metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
    assert.deepEqual(servicePorts([headless, ext], []), []);
  });
});
