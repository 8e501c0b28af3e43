import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podDNS, type ClusterDNS } from './dns.js';
import type { Pod, PodSpec } from './types.js';

const cluster: ClusterDNS = { servers: ['10.96.0.10'], domain: 'cluster.local' };
const pod = (spec: Partial<PodSpec>, namespace = 'shop'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace },
  spec: { containers: [], ...spec },
});

describe('pod DNS settings', () => {
  it('ClusterFirst (the default): the cluster DNS, the namespace search list, ndots:5', () => {
    assert.deepEqual(podDNS(pod({}), cluster), {
      servers: ['10.96.0.10'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      options: ['ndots:5'],
    });
  });

  it('host-network pods keep the node resolv.conf unless ClusterFirstWithHostNet', () => {
    assert.equal(podDNS(pod({ hostNetwork: true }), cluster), undefined);
    assert.deepEqual(podDNS(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster)?.servers, ['10.96.0.10']);
    assert.equal(podDNS(pod({ dnsPolicy: 'Default' }), cluster), undefined);
  });

  it('without a cluster DNS, ClusterFirst falls back to the node resolv.conf', () => {
    assert.equal(podDNS(pod({}), undefined), undefined);
    assert.equal(podDNS(pod({}), { servers: [], domain: 'cluster.local' }), undefined);
  });

  it('merges dnsConfig: nameservers and searches appended (3 nameservers at most), options replaced by name', () => {
    const d = podDNS(
      pod({
        dnsConfig: {
          nameservers: ['1.1.1.1', '10.96.0.10', '8.8.8.8', '9.9.9.9'],
          searches: ['corp.example'],
          options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
        },
      }),
      cluster,
    );
    assert.deepEqual(d?.servers, ['10.96.0.10', '1.1.1.1', '8.8.8.8']);
    assert.deepEqual(d?.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example']);
    assert.deepEqual(d?.options, ['ndots:2', 'edns0']);
  });

  it('None: only dnsConfig', () => {
    assert.deepEqual(podDNS(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.200.1.1'] } }), cluster), {
      servers: ['10.200.1.1'],
      searches: [],
      options: [],
    });
  });
});
