import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { desiredOverlay, overlaySteps, PUBLIC_IP_ANNOTATION, VTEP_MAC_ANNOTATION, type OverlayNode, type OverlayState } from './desired.js';

function node(name: string, podCIDR?: string, mac?: string, ip?: string): OverlayNode {
  const annotations: Record<string, string> = {};
  if (mac) annotations[VTEP_MAC_ANNOTATION] = mac;
  if (ip) annotations[PUBLIC_IP_ANNOTATION] = ip;
  return { metadata: { name, annotations }, spec: podCIDR ? { podCIDR } : {} };
}

const n1 = node('n1', '10.244.0.0/24', '02:00:00:00:00:01', '10.200.0.11');
const n2 = node('n2', '10.244.1.0/24', '02:00:00:00:00:02', '10.200.0.12');
const n3 = node('n3', '10.244.2.0/24', '02:00:00:00:00:03', '10.200.0.13');

/** Applies steps to a model of the kernel's tables, the way `ip ... replace/del` would. */
function applyModel(
  state: OverlayState & { neighbours: { ip: string; mac: string; permanent?: boolean }[] },
  steps: ReturnType<typeof overlaySteps>,
): OverlayState {
  let { neighbours, fdb, routes } = state;
  for (const s of steps) {
    if (s.op === 'replaceNeighbour') neighbours = [...neighbours.filter((n) => n.ip !== s.ip), { ip: s.ip, mac: s.mac }];
    if (s.op === 'deleteNeighbour') neighbours = neighbours.filter((n) => n.ip !== s.ip);
    if (s.op === 'replaceFdb') fdb = [...fdb.filter((f) => !(f.mac === s.mac && f.dst === s.dst)), { mac: s.mac, dst: s.dst }];
    if (s.op === 'deleteFdb') fdb = fdb.filter((f) => !(f.mac === s.mac && f.dst === s.dst));
    if (s.op === 'replaceRoute') routes = [...routes.filter((r) => r.dst !== s.dst), { dst: s.dst, via: s.via, onlink: s.onlink }];
    if (s.op === 'deleteRoute') routes = routes.filter((r) => r.dst !== s.dst);
  }
  return { neighbours, fdb, routes };
}

const asKernel = (s: OverlayState) => ({ ...s, neighbours: s.neighbours.map((n) => ({ ...n, permanent: true })) });

describe('desired overlay', () => {
  it('programs a neighbour, an FDB entry and an onlink route per other node, never for itself', () => {
    assert.deepEqual(desiredOverlay('n1', [n3, n1, n2]), {
      neighbours: [
        { ip: '10.244.1.0', mac: '02:00:00:00:00:02' },
        { ip: '10.244.2.0', mac: '02:00:00:00:00:03' },
      ],
      fdb: [
        { mac: '02:00:00:00:00:02', dst: '10.200.0.12' },
        { mac: '02:00:00:00:00:03', dst: '10.200.0.13' },
      ],
      routes: [
        { dst: '10.244.1.0/24', via: '10.244.1.0', onlink: true },
        { dst: '10.244.2.0/24', via: '10.244.2.0', onlink: true },
      ],
    });
  });

  it('skips nodes still starting (no pod CIDR, no VTEP annotations, malformed ones) and duplicate CIDRs', () => {
    const nodes = [
      n1,
      node('a'),
      node('b', '10.244.5.0/24'),
      node('c', '10.244.6.0/24', 'zz', '10.200.0.9'),
      node('d', '10.244.7.0/24', '02:00:00:00:00:0d'),
      node('dup', '10.244.1.0/24', '02:00:00:00:00:09', '10.200.0.99'),
      n2,
    ];
    const d = desiredOverlay('n1', nodes);
    assert.deepEqual(
      d.routes.map((r) => r.dst),
      ['10.244.1.0/24'],
    );
    assert.deepEqual(d.fdb, [{ mac: '02:00:00:00:00:09', dst: '10.200.0.99' }], 'the first by name wins a duplicated CIDR');
  });

  it('a node joining adds its entries; a node leaving removes them; nothing else changes; a second pass is a no-op', () => {
    let kernel: OverlayState = { neighbours: [], fdb: [], routes: [] };
    kernel = applyModel(kernel, overlaySteps(desiredOverlay('n1', [n1, n2]), asKernel(kernel)));
    assert.deepEqual(kernel, desiredOverlay('n1', [n1, n2]));
    const join = overlaySteps(desiredOverlay('n1', [n1, n2, n3]), asKernel(kernel));
    assert.deepEqual(
      join.map((s) => s.op),
      ['replaceNeighbour', 'replaceFdb', 'replaceRoute'],
    );
    kernel = applyModel(kernel, join);
    assert.deepEqual(overlaySteps(desiredOverlay('n1', [n1, n2, n3]), asKernel(kernel)), [], 'idempotent');
    const leave = overlaySteps(desiredOverlay('n1', [n1, n3]), asKernel(kernel));
    assert.deepEqual(leave, [
      { op: 'deleteNeighbour', ip: '10.244.1.0' },
      { op: 'deleteFdb', mac: '02:00:00:00:00:02', dst: '10.200.0.12' },
      { op: 'deleteRoute', dst: '10.244.1.0/24' },
    ]);
    kernel = applyModel(kernel, leave);
    assert.deepEqual(kernel, desiredOverlay('n1', [n1, n3]));
  });

  it('a peer whose VTEP was re-created (new MAC) or moved (new IP) is re-programmed', () => {
    const kernel = asKernel(desiredOverlay('n1', [n1, n2]));
    const moved = node('n2', '10.244.1.0/24', '02:00:00:00:00:22', '10.200.0.42');
    const steps = overlaySteps(desiredOverlay('n1', [n1, moved]), kernel);
    assert.deepEqual(applyModel(kernel, steps), desiredOverlay('n1', [n1, moved]));
    assert.ok(!steps.some((s) => s.op === 'deleteRoute'), 'the route is replaced in place, never dropped');
  });

  it('a non-permanent (learned or stale) neighbour entry is made permanent', () => {
    const d = desiredOverlay('n1', [n1, n2]);
    const kernel = { ...d, neighbours: d.neighbours.map((n) => ({ ...n, permanent: false })) };
    assert.deepEqual(overlaySteps(d, kernel), [{ op: 'replaceNeighbour', ip: '10.244.1.0', mac: '02:00:00:00:00:02' }]);
  });
});
