// One case per row of the merge-key table (reference §8.5), at every place the sub-tree appears.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { strategicMergePatch } from './strategic.js';
import { at, deepFreeze, nest } from './testkit.js';

interface KeyedCase {
  kind: string;
  path: string[];
  key: string;
  values: [unknown, unknown];
}

const POD_SPEC_AT: Record<string, string[]> = {
  'v1/Pod': ['spec'],
  'apps/v1/Deployment': ['spec', 'template', 'spec'],
  'apps/v1/ReplicaSet': ['spec', 'template', 'spec'],
  'batch/v1/Job': ['spec', 'template', 'spec'],
};

const keyed: KeyedCase[] = [];
for (const [kind, spec] of Object.entries(POD_SPEC_AT)) {
  for (const list of [
    'containers',
    'initContainers',
    'ephemeralContainers',
    'imagePullSecrets',
    'schedulingGates',
    'volumes',
  ]) {
    keyed.push({ kind, path: [...spec, list], key: 'name', values: ['a', 'b'] });
  }
  keyed.push({ kind, path: [...spec, 'hostAliases'], key: 'ip', values: ['10.0.0.1', '10.0.0.2'] });
  keyed.push({ kind, path: [...spec, 'topologySpreadConstraints'], key: 'topologyKey', values: ['zone', 'host'] });
  // Container fields live inside a keyed item; the helper below wraps them in containers[name=c].
  for (const [list, key, values] of [
    ['ports', 'containerPort', [80, 443]],
    ['env', 'name', ['A', 'B']],
    ['volumeMounts', 'mountPath', ['/a', '/b']],
    ['volumeDevices', 'devicePath', ['/dev/a', '/dev/b']],
  ] as const) {
    for (const containers of ['containers', 'initContainers', 'ephemeralContainers']) {
      keyed.push({ kind, path: [...spec, containers, '*', list], key, values: [...values] });
    }
  }
  if (spec.length > 1)
    keyed.push({ kind, path: ['spec', 'template', 'metadata', 'ownerReferences'], key: 'uid', values: ['u1', 'u2'] });
}
keyed.push(
  { kind: 'v1/Pod', path: ['metadata', 'ownerReferences'], key: 'uid', values: ['u1', 'u2'] },
  { kind: 'v1/Pod', path: ['status', 'conditions'], key: 'type', values: ['Ready', 'PodScheduled'] },
  { kind: 'v1/Pod', path: ['status', 'podIPs'], key: 'ip', values: ['10.1.0.1', 'fd00::1'] },
  { kind: 'v1/Pod', path: ['status', 'hostIPs'], key: 'ip', values: ['192.168.0.1', 'fd01::1'] },
  { kind: 'v1/Service', path: ['spec', 'ports'], key: 'port', values: [80, 443] },
  { kind: 'v1/Node', path: ['status', 'addresses'], key: 'type', values: ['InternalIP', 'Hostname'] },
);
for (const kind of [
  'v1/Service',
  'v1/Node',
  'v1/Namespace',
  'apps/v1/Deployment',
  'apps/v1/ReplicaSet',
  'batch/v1/Job',
  'autoscaling/v2/HorizontalPodAutoscaler',
]) {
  keyed.push({ kind, path: ['status', 'conditions'], key: 'type', values: ['Ready', 'Other'] });
  keyed.push({ kind, path: ['metadata', 'ownerReferences'], key: 'uid', values: ['u1', 'u2'] });
}

/** Puts `list` at `path`; a '*' segment stands for `containers: [{name: 'c', <rest>}]`-style wrapping. */
function place(path: readonly string[], list: unknown): unknown {
  const star = path.indexOf('*');
  if (star < 0) return nest(path, list);
  const inner = place(path.slice(star + 1), list);
  return nest(path.slice(0, star), [{ name: 'c', ...(inner as object) }]);
}

function read(v: unknown, path: readonly string[]): unknown {
  const star = path.indexOf('*');
  if (star < 0) return at(v, path);
  const items = at(v, path.slice(0, star));
  return Array.isArray(items) ? read(items[0], path.slice(star + 1)) : undefined;
}

describe('strategic: keyed lists merge by their key', () => {
  for (const { kind, path, key, values } of keyed) {
    const [a, b] = values;
    it(`${kind} ${path.join('.')} by ${key}`, () => {
      const original = deepFreeze(
        place(path, [
          { [key]: a, old: 1 },
          { [key]: 'other', old: 2 },
        ]),
      );
      const patch = deepFreeze(
        place(path, [
          { [key]: a, added: 1 },
          { [key]: b, fresh: 1 },
        ]),
      );
      const out = strategicMergePatch(kind, original, patch);
      assert.deepEqual(read(out, path), [
        { [key]: a, old: 1, added: 1 },
        { [key]: 'other', old: 2 },
        { [key]: b, fresh: 1 },
      ]);
      const deleted = strategicMergePatch(kind, original, place(path, [{ [key]: a, $patch: 'delete' }]));
      assert.deepEqual(read(deleted, path), [{ [key]: 'other', old: 2 }]);
    });
  }
});

describe('strategic: primitive lists merge as a union', () => {
  const cases: [string, string[]][] = [
    ['v1/Pod', ['metadata', 'finalizers']],
    ['apps/v1/Deployment', ['metadata', 'finalizers']],
    ['apps/v1/Deployment', ['spec', 'template', 'metadata', 'finalizers']],
    ['v1/Namespace', ['metadata', 'finalizers']],
    ['v1/ConfigMap', ['metadata', 'finalizers']],
    ['v1/Node', ['spec', 'podCIDRs']],
  ];
  for (const [kind, path] of cases) {
    it(`${kind} ${path.join('.')}`, () => {
      const out = strategicMergePatch(kind, deepFreeze(nest(path, ['x', 'y'])), deepFreeze(nest(path, ['y', 'z'])));
      assert.deepEqual(at(out, path), ['x', 'y', 'z']);
    });
  }
});

describe('strategic: lists outside the table are atomic', () => {
  const cases: [string, string[]][] = [
    ['v1/Pod', ['spec', 'tolerations']],
    ['v1/Pod', ['spec', 'containers', '*', 'args']],
    ['v1/Service', ['spec', 'externalIPs']],
    ['v1/Endpoints', ['subsets']],
    ['networking.k8s.io/v1/Ingress', ['spec', 'rules']],
    ['autoscaling/v2/HorizontalPodAutoscaler', ['spec', 'metrics']],
    ['apps/v1/Deployment', ['spec', 'template', 'spec', 'tolerations']],
    ['v1/Pod', ['status', 'containerStatuses']],
  ];
  for (const [kind, path] of cases) {
    it(`${kind} ${path.join('.')}`, () => {
      const out = strategicMergePatch(
        kind,
        deepFreeze(place(path, [{ name: 'a', v: 1 }])),
        deepFreeze(place(path, [{ name: 'a', w: 2 }])),
      );
      assert.deepEqual(read(out, path), [{ name: 'a', w: 2 }]);
    });
  }
});
