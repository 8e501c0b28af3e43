import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_IN, RCODE, TYPE } from './message.js';
import { Zone, type ClusterView, type EndpointsView, type ServiceView } from './zone.js';

const services: Record<string, ServiceView> = {
  'default/web': { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  'default/db': { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] },
  'default/ext': { type: 'ExternalName', externalName: 'example.org', ports: [] },
  'default/empty': { clusterIP: 'None', ports: [] },
};
const endpoints: Record<string, EndpointsView> = {
  'default/db': { addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.2.7' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
};
const view: ClusterView = { service: (ns, n) => services[`${ns}/${n}`], endpoints: (ns, n) => endpoints[`${ns}/${n}`] };
const zone = new Zone({ domain: 'cluster.local' });
const ask = (name: string, type: number = TYPE.A) => zone.answer({ name, type, class: CLASS_IN }, view);

describe('the cluster zone', () => {
  it('answers a service name with its cluster IP, in the case it was asked', () => {
    const a = ask('Web.Default.svc.cluster.local');
    assert.equal(a?.rcode, RCODE.NOERROR);
    assert.deepEqual(a?.answers, [{ name: 'Web.Default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: 'A', address: '10.96.0.20' } }]);
  });

  it('answers AAAA for an IPv4-only service with no records and the SOA (NODATA), not NXDOMAIN', () => {
    const a = ask('web.default.svc.cluster.local', TYPE.AAAA);
    assert.equal(a?.rcode, RCODE.NOERROR);
    assert.deepEqual(a?.answers, []);
    assert.equal(a?.authorities[0]?.data.type, 'SOA');
  });

  it('answers a headless service with every endpoint, and each endpoint by hostname or dashed IP', () => {
    assert.deepEqual(
      ask('db.default.svc.cluster.local')?.answers.map((r) => (r.data.type === 'A' ? r.data.address : '')),
      ['10.244.1.5', '10.244.2.7'],
    );
    assert.deepEqual(
      ask('db-0.db.default.svc.cluster.local')?.answers.map((r) => (r.data.type === 'A' ? r.data.address : '')),
      ['10.244.1.5'],
    );
    assert.deepEqual(
      ask('10-244-2-7.db.default.svc.cluster.local')?.answers.map((r) => (r.data.type === 'A' ? r.data.address : '')),
      ['10.244.2.7'],
    );
    assert.equal(ask('db-9.db.default.svc.cluster.local')?.rcode, RCODE.NXDOMAIN);
    assert.deepEqual(ask('empty.default.svc.cluster.local')?.answers, []);
  });

  it("answers SRV for named ports, with the targets' addresses as additional records", () => {
    const a = ask('_http._tcp.web.default.svc.cluster.local', TYPE.SRV);
    assert.deepEqual(a?.answers[0]?.data, { type: 'SRV', priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' });
    assert.deepEqual(a?.additionals[0]?.data, { type: 'A', address: '10.96.0.20' });
    const h = ask('_pg._tcp.db.default.svc.cluster.local', TYPE.SRV);
    assert.deepEqual(
      h?.answers.map((r) => (r.data.type === 'SRV' ? `${r.data.port} ${r.data.target}` : '')),
      ['5432 db-0.db.default.svc.cluster.local', '5432 10-244-2-7.db.default.svc.cluster.local'],
    );
    assert.equal(h?.additionals.length, 2);
    assert.equal(ask('_pg._udp.db.default.svc.cluster.local', TYPE.SRV)?.rcode, RCODE.NXDOMAIN);
  });

  it('answers ExternalName with a CNAME and pod names with their dashed IP', () => {
    assert.deepEqual(ask('ext.default.svc.cluster.local')?.answers[0]?.data, { type: 'CNAME', target: 'example.org' });
    assert.deepEqual(ask('10-244-0-9.default.pod.cluster.local')?.answers[0]?.data, { type: 'A', address: '10.244.0.9' });
  });

  it('says NXDOMAIN for unknown names in the zone, NODATA for its empty non-terminals, and leaves other names alone', () => {
    for (const n of [
      'nope.default.svc.cluster.local',
      'web.other.svc.cluster.local',
      'web.default.svc.cluster.local.default.svc.cluster.local',
      'x.cluster.local',
    ]) {
      const a = ask(n);
      assert.equal(a?.rcode, RCODE.NXDOMAIN, n);
      assert.equal(a?.authorities[0]?.data.type, 'SOA', n);
    }
    for (const n of ['svc.cluster.local', 'default.svc.cluster.local', 'cluster.local']) assert.equal(ask(n)?.rcode, RCODE.NOERROR, n);
    assert.equal(ask('cluster.local', TYPE.SOA)?.answers[0]?.data.type, 'SOA');
    assert.equal(ask('example.org'), undefined);
    assert.equal(ask('notcluster.local'), undefined);
  });
});
