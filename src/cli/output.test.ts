import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignRows, customColumnsTable, formatObjects, objectFormat, toJson } from './output.js';
import { UsageError } from './args.js';

describe('output', () => {
  it('aligns like kubectl: widest cell plus three spaces, at least six, last column unpadded', () => {
    assert.equal(
      alignRows([
        ['NAME', 'READY', 'AGE'],
        ['web-1', '1/1', '5m'],
      ]),
      'NAME    READY   AGE\nweb-1   1/1     5m\n',
    );
    assert.equal(alignRows([['A', 'B']]), 'A     B\n');
  });

  it('prints JSON with sorted keys and four-space indents', () => {
    assert.equal(toJson({ b: 1, a: { d: 2, c: 3 } }), '{\n    "a": {\n        "c": 3,\n        "d": 2\n    },\n    "b": 1\n}\n');
  });

  it('prints names, YAML lists and custom columns', async () => {
    const objs = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' } } },
    ];
    assert.equal(await formatObjects(objs, { kind: 'name' }, { single: false }), 'deployment.apps/web\npod/p\n');
    const yaml = await formatObjects(objs, { kind: 'yaml' }, { single: false });
    assert.match(yaml, /^apiVersion: v1\nitems:\n- apiVersion: apps\/v1\n/);
    assert.match(yaml, /kind: List\nmetadata:\n  resourceVersion: ""\n$/);
    assert.equal(customColumnsTable('NAME:.metadata.name,APP:.metadata.labels.app', objs), 'NAME   APP\nweb    <none>\np      x\n');
  });

  it('parses -o and refuses unknown formats', () => {
    assert.deepEqual(objectFormat('jsonpath={.a}'), { kind: 'jsonpath', template: '{.a}' });
    assert.equal(objectFormat('wide', ['wide']), undefined);
    assert.throws(() => objectFormat('wide'), UsageError);
    assert.throws(() => objectFormat('xml'), UsageError);
    assert.throws(() => objectFormat('custom-columns=nocolon'), UsageError);
  });
});
