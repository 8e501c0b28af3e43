import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { describeNode, goArch, hostCapacity, missingLabels, nodeConditions, nodeStatus, parseKeyValues } from './node.js';

describe('node registration helpers', () => {
  it('parses k=v lists', () => {
    assert.deepEqual(parseKeyValues('a=1, b=two,c=', '--node-labels'), { a: '1', b: 'two', c: '' });
    assert.deepEqual(parseKeyValues(undefined, 'x'), {});
    assert.throws(() => parseKeyValues('novalue', '--capacity'), /--capacity: "novalue" is not key=value/);
  });

  it('maps Node architectures to Go names', () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
  });

  it('takes capacity from the host unless overridden', () => {
    const c = hostCapacity({ cpu: '2', pods: '20' });
    assert.equal(c['cpu'], '2');
    assert.equal(c['pods'], '20');
    assert.match(String(c['memory']), /^\d+Ki$/);
  });

  it('adds only the labels a node lacks', () => {
    assert.deepEqual(missingLabels({ a: 'edited', b: '1' }, { a: 'orig', c: '3' }), { c: '3' });
    assert.deepEqual(missingLabels(undefined, { a: '1' }), { a: '1' });
  });

  it('reports Ready with heartbeat times and stable transition times', () => {
    const conds = nodeConditions(Date.UTC(2026, 0, 1, 0, 0, 30), '2026-01-01T00:00:00Z');
    const ready = conds.find((c) => c.type === 'Ready');
    assert.deepEqual(ready, {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: '2026-01-01T00:00:30Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    assert.deepEqual(
      conds.map((c) => `${c.type}=${c.status}`),
      ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True'],
    );
  });

  it('describes the node with the default labels and the runtime version', () => {
    const info = describeNode({
      name: 'n1',
      internalIP: '10.0.0.5',
      labels: { role: 'edge' },
      capacity: { cpu: '4' },
      kubeletPort: 10250,
      runtimeVersion: 'docker://20.10.24',
    });
    assert.equal(info.labels['role'], 'edge');
    assert.equal(info.labels['kubernetes.io/hostname'], 'n1');
    assert.equal(info.labels['kubernetes.io/os'], 'linux');
    assert.equal(info.nodeInfo['containerRuntimeVersion'], 'docker://20.10.24');
    const st = nodeStatus(info, 0, '1970-01-01T00:00:00Z');
    assert.deepEqual(st['daemonEndpoints'], { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual((st['addresses'] as unknown[])[0], { type: 'InternalIP', address: '10.0.0.5' });
  });
});
