import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, JsonPathError } from './jsonpath.js';

const list = {
  kind: 'List',
  items: [
    {
      metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web' } },
      status: { conditions: [{ type: 'Ready', status: 'True' }], podIP: '10.0.0.1' },
      spec: { containers: [{ image: 'x' }, { image: 'y' }] },
    },
    { metadata: { name: 'b', labels: {} }, status: { conditions: [{ type: 'Ready', status: 'False' }] }, spec: { containers: [{ image: 'z' }] } },
  ],
};

const render = (t: string, data: unknown = list): string => compile(t).render(data);

describe('jsonpath templates', () => {
  it('selects fields, wildcards, indexes and slices', () => {
    assert.equal(render('{.items[*].metadata.name}'), 'a b');
    assert.equal(render('{.items[0].spec.containers[*].image}'), 'x y');
    assert.equal(render('{.items[-1].metadata.name}'), 'b');
    assert.equal(render('{.items[0:1].metadata.name}'), 'a');
    assert.equal(render('{$.kind}'), 'List');
    assert.equal(render('{..image}'), 'x y z');
  });

  it('ranges with literal text and string escapes', () => {
    assert.equal(render('{range .items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}'), 'a\t10.0.0.1\nb\t\n');
    assert.equal(render('names: {.items[*].metadata.name}!'), 'names: a b!');
  });

  it('filters, escaped dots and quoted keys', () => {
    assert.equal(render('{.items[*].status.conditions[?(@.type=="Ready")].status}'), 'True False');
    assert.equal(render("{.items[?(@.metadata.name=='b')].metadata.name}"), 'b');
    assert.equal(render('{.items[0].metadata.labels.app\\.kubernetes\\.io/name}'), 'web');
    assert.equal(render("{.items[0].metadata.labels['app.kubernetes.io/name']}"), 'web');
  });

  it('prints maps and lists as JSON and missing fields as nothing', () => {
    assert.equal(render('{.items[1].metadata.labels}'), '{}');
    assert.equal(render('{.items[0].spec.containers[0]}'), '{"image":"x"}');
    assert.equal(render('{.items[0].nothing.here}'), '');
  });

  it('reports malformed templates', () => {
    assert.throws(() => compile('{.a'), JsonPathError);
    assert.throws(() => compile('{range .items[*]}{.a}'), JsonPathError);
    assert.throws(() => compile('{end}'), JsonPathError);
  });
});
