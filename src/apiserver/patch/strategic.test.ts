import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PatchError } from './errors.js';
import { mergePatch } from './mergepatch.js';
import { strategicMergePatch } from './strategic.js';
import { deepFreeze } from './testkit.js';

const smp = (kind: string, original: unknown, patch: unknown): unknown =>
  strategicMergePatch(kind, deepFreeze(original), deepFreeze(patch));

function pod(
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = { name: 'p' },
): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function rejects(patch: unknown, original: unknown, reason: 'BadRequest' | 'Invalid', message: RegExp): void {
  assert.throws(
    () => smp('v1/Pod', original, patch),
    (e: unknown) => e instanceof PatchError && e.reason === reason && message.test(e.message),
  );
}

const twoContainers = pod({
  containers: [
    { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] },
    { name: 'side', image: 'side:1' },
  ],
});

describe('strategic: null and maps', () => {
  it('null deletes a member; absent members stay', () => {
    const out = smp('v1/Pod', pod({ nodeName: 'n1', restartPolicy: 'Always' }), { spec: { nodeName: null } });
    assert.deepEqual(out, pod({ restartPolicy: 'Always' }));
  });
  it('maps merge recursively and new members drop nulls and directives', () => {
    const out = smp('v1/Pod', pod({}, { name: 'p', labels: { a: '1' } }), {
      metadata: { labels: { b: '2' }, annotations: { x: null, y: 'z' } },
    });
    assert.deepEqual(out, pod({}, { name: 'p', labels: { a: '1', b: '2' }, annotations: { y: 'z' } }));
  });
  it('$patch: replace replaces a map with the rest of the patch', () => {
    const out = smp('v1/Pod', pod({}, { name: 'p', labels: { a: '1', b: '2' } }), {
      metadata: { labels: { $patch: 'replace', c: '3' } },
    });
    assert.deepEqual(out, pod({}, { name: 'p', labels: { c: '3' } }));
  });
  it('$patch: delete removes a map', () => {
    const out = smp('v1/Pod', pod({ nodeSelector: { disk: 'ssd' }, nodeName: 'n' }), {
      spec: { nodeSelector: { $patch: 'delete' } },
    });
    assert.deepEqual(out, pod({ nodeName: 'n' }));
  });
  it('$patch: merge is the default and is stripped', () => {
    const out = smp('v1/Pod', pod({ nodeSelector: { disk: 'ssd' } }), {
      spec: { nodeSelector: { $patch: 'merge', zone: 'a' } },
    });
    assert.deepEqual(out, pod({ nodeSelector: { disk: 'ssd', zone: 'a' } }));
  });
  it('$patch: replace at the root replaces the object', () => {
    assert.deepEqual(smp('v1/Pod', pod({ nodeName: 'n' }), { $patch: 'replace', metadata: { name: 'q' } }), {
      metadata: { name: 'q' },
    });
  });
  it('rejects an unknown $patch value, a root delete, and a non-object patch', () => {
    rejects(
      { spec: { $patch: 'frob' } },
      pod({}),
      'BadRequest',
      /^strategic: \/spec: unknown \$patch directive "frob"$/,
    );
    rejects({ $patch: 'delete' }, pod({}), 'BadRequest', /cannot delete the whole object/);
    rejects([{ op: 'add' }], pod({}), 'BadRequest', /must be a JSON object/);
  });
});

describe('strategic: lists', () => {
  it('lists without a merge strategy are replaced atomically', () => {
    const original = pod({
      tolerations: [{ key: 'a' }, { key: 'b' }],
      containers: [{ name: 'app', command: ['sh', '-c', 'x'] }],
    });
    const out = smp('v1/Pod', original, {
      spec: { tolerations: [{ key: 'c' }], containers: [{ name: 'app', command: ['run'] }] },
    });
    assert.deepEqual(out, pod({ tolerations: [{ key: 'c' }], containers: [{ name: 'app', command: ['run'] }] }));
  });
  it('keyed lists merge by key: matching items merge, new ones are appended', () => {
    const out = smp('v1/Pod', twoContainers, {
      spec: {
        containers: [
          { name: 'app', image: 'app:2' },
          { name: 'new', image: 'n:1' },
        ],
      },
    });
    assert.deepEqual(
      out,
      pod({
        containers: [
          { name: 'app', image: 'app:2', env: [{ name: 'A', value: '1' }] },
          { name: 'side', image: 'side:1' },
          { name: 'new', image: 'n:1' },
        ],
      }),
    );
  });
  it('$patch: delete on a list item removes the item with that key', () => {
    const out = smp('v1/Pod', twoContainers, { spec: { containers: [{ name: 'side', $patch: 'delete' }] } });
    assert.deepEqual(out, pod({ containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] }] }));
  });
  it('$patch: delete of an absent item is a no-op', () => {
    assert.deepEqual(
      smp('v1/Pod', twoContainers, { spec: { containers: [{ name: 'zz', $patch: 'delete' }] } }),
      twoContainers,
    );
  });
  it('$patch: replace on a list item replaces that item only', () => {
    const out = smp('v1/Pod', twoContainers, {
      spec: { containers: [{ name: 'app', $patch: 'replace', image: 'app:3' }] },
    });
    assert.deepEqual(
      out,
      pod({
        containers: [
          { name: 'app', image: 'app:3' },
          { name: 'side', image: 'side:1' },
        ],
      }),
    );
  });
  it('a {$patch: replace} item replaces the whole list with the other items', () => {
    const out = smp('v1/Pod', twoContainers, {
      spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o:1', x: null }] },
    });
    assert.deepEqual(out, pod({ containers: [{ name: 'only', image: 'o:1' }] }));
  });
  it('a {$patch: replace} item works on primitive lists too', () => {
    const out = smp('v1/Pod', pod({}, { name: 'p', finalizers: ['a', 'b'] }), {
      metadata: { finalizers: [{ $patch: 'replace' }, 'c'] },
    });
    assert.deepEqual(out, pod({}, { name: 'p', finalizers: ['c'] }));
  });
  it('null deletes a keyed list', () => {
    assert.deepEqual(smp('v1/Pod', twoContainers, { spec: { containers: null } }), pod({}));
  });
  it('rejects keyed-list items without the merge key, or that are not objects', () => {
    rejects(
      { spec: { containers: [{ image: 'x' }] } },
      twoContainers,
      'BadRequest',
      /\/spec\/containers: item \{"image":"x"\} has no merge key "name"/,
    );
    rejects(
      { spec: { containers: ['x'] } },
      twoContainers,
      'BadRequest',
      /items must be objects \(this list merges by "name"\)/,
    );
  });
  it('errors deep in a list name the item', () => {
    rejects(
      { spec: { containers: [{ name: 'app', env: [{ value: '1' }] }] } },
      twoContainers,
      'BadRequest',
      /\/spec\/containers\[name="app"\]\/env: item/,
    );
  });
});

describe('strategic: $setElementOrder', () => {
  const three = pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  it('orders the merged list: named items in its order, the others after', () => {
    const out = smp('v1/Pod', three, {
      spec: {
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'new' }, { name: 'a' }],
        containers: [{ name: 'new' }],
      },
    });
    assert.deepEqual(out, pod({ containers: [{ name: 'c' }, { name: 'new' }, { name: 'a' }, { name: 'b' }] }));
  });
  it('reorders even when the patch does not carry the list', () => {
    const out = smp('v1/Pod', three, {
      spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'c' }] },
    });
    assert.deepEqual(out, pod({ containers: [{ name: 'b' }, { name: 'a' }, { name: 'c' }] }));
  });
  it('orders primitive lists by value', () => {
    const out = smp('v1/Pod', pod({}, { finalizers: ['x', 'y'] }), {
      metadata: { '$setElementOrder/finalizers': ['z', 'y', 'x'], finalizers: ['z'] },
    });
    assert.deepEqual(out, pod({}, { finalizers: ['z', 'y', 'x'] }));
  });
  it('does nothing for a field that is absent on both sides', () => {
    assert.deepEqual(smp('v1/Pod', pod({}), { spec: { '$setElementOrder/containers': [{ name: 'a' }] } }), pod({}));
  });
  it('must be a list', () => {
    rejects({ spec: { '$setElementOrder/containers': 'a' } }, three, 'BadRequest', /\$setElementOrder must be a list/);
  });
});

describe('strategic: $deleteFromPrimitiveList', () => {
  it('removes values from a primitive list', () => {
    const out = smp('v1/Pod', pod({}, { finalizers: ['a', 'b', 'c'] }), {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] },
    });
    assert.deepEqual(out, pod({}, { finalizers: ['a', 'c'] }));
  });
  it('combines with additions in the same patch', () => {
    const out = smp('v1/Pod', pod({}, { finalizers: ['a', 'b'] }), {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['c'] },
    });
    assert.deepEqual(out, pod({}, { finalizers: ['b', 'c'] }));
  });
  it('leaves an absent list absent', () => {
    assert.deepEqual(
      smp('v1/Pod', pod({}, {}), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }),
      pod({}, {}),
    );
  });
  it('must be a list', () => {
    rejects(
      { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
      pod({}, { finalizers: ['a'] }),
      'BadRequest',
      /must be a list/,
    );
  });
});

describe('strategic: $retainKeys', () => {
  const deploy = (strategy: unknown): unknown => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 1, strategy },
  });
  const rolling = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  it('drops the members it does not list (Deployment strategy RollingUpdate → Recreate)', () => {
    const out = smp('apps/v1/Deployment', deploy(rolling), {
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
    });
    assert.deepEqual(out, deploy({ type: 'Recreate' }));
  });
  it('merges the members it lists', () => {
    const out = smp('apps/v1/Deployment', deploy(rolling), {
      spec: { strategy: { $retainKeys: ['rollingUpdate', 'type'], rollingUpdate: { maxSurge: 2 } } },
    });
    assert.deepEqual(out, deploy({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } }));
  });
  it('works on keyed list items (a volume switching source)', () => {
    const original = pod({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'c' } },
      ],
    });
    const out = smp('v1/Pod', original, {
      spec: { volumes: [{ $retainKeys: ['name', 'hostPath'], name: 'data', hostPath: { path: '/srv' } }] },
    });
    assert.deepEqual(
      out,
      pod({
        volumes: [
          { name: 'data', hostPath: { path: '/srv' } },
          { name: 'cfg', configMap: { name: 'c' } },
        ],
      }),
    );
  });
  it('rejects a patch that sets a member the list does not retain, and a malformed list', () => {
    rejects(
      { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } },
      deploy(rolling),
      'Invalid',
      /sets rollingUpdate, which \$retainKeys does not list/,
    );
    rejects(
      { spec: { strategy: { $retainKeys: 'type' } } },
      deploy(rolling),
      'BadRequest',
      /\$retainKeys must be a list of strings/,
    );
  });
});

describe('strategic: kinds without patch meta (custom kinds)', () => {
  const fn = {
    apiVersion: 'minik8s.io/v1',
    kind: 'Function',
    metadata: { name: 'hello', finalizers: ['a'] },
    spec: { handler: 'index.main', env: [{ name: 'A' }], replicas: 1 },
  };
  const patch = { metadata: { finalizers: ['b'] }, spec: { env: [{ name: 'B' }], replicas: 2, handler: null } };
  it('behave like a JSON merge patch: every list is replaced', () => {
    const out = smp('minik8s.io/v1/Function', fn, patch);
    assert.deepEqual(out, {
      apiVersion: 'minik8s.io/v1',
      kind: 'Function',
      metadata: { name: 'hello', finalizers: ['b'] },
      spec: { env: [{ name: 'B' }], replicas: 2 },
    });
    assert.deepEqual(out, mergePatch(fn, patch));
  });
  it('still honour map directives', () => {
    assert.deepEqual(smp('minik8s.io/v1/Function', fn, { spec: { $patch: 'replace', replicas: 3 } }), {
      ...fn,
      spec: { replicas: 3 },
    });
  });
  it('look-ups do not find Object.prototype members', () => {
    assert.deepEqual(smp('constructor', { a: [1] }, { a: [2] }), { a: [2] });
    assert.deepEqual(smp('v1/Pod', { constructor: [1] }, { constructor: [2] }), { constructor: [2] });
  });
});
