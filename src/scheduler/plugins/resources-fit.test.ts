import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot, podRequests } from '../framework.js';
import { makeNode, makePod } from '../testing.js';
import { resourcesFit, TOO_MANY_PODS } from './resources-fit.js';

describe('NodeResourcesFit filter', () => {
  it('sums containers, takes the largest init container when bigger, adds overhead', () => {
    assert.deepEqual(podRequests(makePod('p', { cpu: '100m', memory: '64Mi', containers: 3 })), {
      milliCPU: 300,
      memory: 3 * 64 * 2 ** 20,
      pods: 1,
      scalar: {},
    });
    const init = makePod('i', { cpu: '100m', containers: 2, initRequests: [{ cpu: '500m' }, { cpu: '50m', memory: '1Gi' }] });
    const r = podRequests(init);
    assert.equal(r.milliCPU, 500);
    assert.equal(r.memory, 2 ** 30);
    const withOverhead = makePod('o', { cpu: '1' });
    withOverhead.spec!.overhead = { cpu: '250m' };
    assert.equal(podRequests(withOverhead).milliCPU, 1250);
    assert.deepEqual(podRequests(makePod('none')), { milliCPU: 0, memory: 0, pods: 1, scalar: {} });
  });

  it('subtracts what the pods on the node already request', () => {
    const node = makeNode('n', { cpu: '2', memory: '1Gi', pods: '3' });
    const running = [makePod('a', { cpu: '1500m', memory: '512Mi', nodeName: 'n' }), makePod('done', { cpu: '2', nodeName: 'n', phase: 'Succeeded' })];
    const snap = newSnapshot([node], running);
    const info = snap.get('n')!;
    assert.equal(info.requested.milliCPU, 1500, 'terminal pods hold nothing');
    assert.equal(resourcesFit.filter(makePod('fits', { cpu: '500m', memory: '512Mi' }), info, snap).code, 'Success');
    assert.deepEqual(resourcesFit.filter(makePod('cpu', { cpu: '501m' }), info, snap).reasons, ['Insufficient cpu']);
    assert.deepEqual(resourcesFit.filter(makePod('both', { cpu: '1', memory: '1Gi' }), info, snap).reasons, ['Insufficient cpu', 'Insufficient memory']);
    assert.equal(resourcesFit.filter(makePod('none'), info, snap).code, 'Success', 'no requests: only the pod count matters');
  });

  it('counts pods against allocatable pods', () => {
    const snap = newSnapshot([makeNode('n', { pods: '2' })], [makePod('a', { nodeName: 'n' }), makePod('b', { nodeName: 'n' })]);
    assert.deepEqual(resourcesFit.filter(makePod('c'), snap.get('n')!, snap).reasons, [TOO_MANY_PODS]);
  });

  it('checks extended resources the pod asks for', () => {
    const snap = newSnapshot(
      [makeNode('gpu', { extra: { 'nvidia.com/gpu': '1' } }), makeNode('cpu')],
      [makePod('a', { requests: { 'nvidia.com/gpu': '1' }, nodeName: 'gpu' })],
    );
    const pod = makePod('p', { requests: { 'nvidia.com/gpu': '1' } });
    assert.deepEqual(resourcesFit.filter(pod, snap.get('gpu')!, snap).reasons, ['Insufficient nvidia.com/gpu']);
    assert.deepEqual(resourcesFit.filter(pod, snap.get('cpu')!, snap).reasons, ['Insufficient nvidia.com/gpu']);
    const free = newSnapshot([makeNode('gpu', { extra: { 'nvidia.com/gpu': '2' } })], []);
    assert.equal(resourcesFit.filter(pod, free.get('gpu')!, free).code, 'Success');
  });
});
