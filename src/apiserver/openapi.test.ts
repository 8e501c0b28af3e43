import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { groupsInOrder } from '../api/scheme.js';
import { groupVersionDoc } from './openapi.js';

type Schema = Record<string, unknown>;

/** Every `$ref` string anywhere below `v` (iterative). */
function refs(v: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [v];
  while (stack.length) {
    const cur = stack.pop();
    if (typeof cur !== 'object' || cur === null) continue;
    for (const [k, child] of Object.entries(cur)) {
      if (k === '$ref' && typeof child === 'string') out.push(child);
      else stack.push(child);
    }
  }
  return out;
}

function doc(group: string, version: string): { paths: Schema; components: { schemas: Record<string, Schema> } } {
  const d = groupVersionDoc(group, version);
  assert.ok(d, `expected a document for ${group}/${version}`);
  return d as { paths: Schema; components: { schemas: Record<string, Schema> } };
}

describe('openapi v3 documents', () => {
  it('resolve every $ref inside their own document', () => {
    for (const g of groupsInOrder()) {
      for (const v of g.versions) {
        const d = doc(g.group, v);
        for (const r of refs(d)) {
          const name = r.replace('#/components/schemas/', '');
          assert.ok(d.components.schemas[name], `${g.group}/${v}: ${r} does not resolve`);
        }
      }
    }
  });

  it('describe Deployment field by field, with its GVK, int-or-string and free-form markers', () => {
    const s = doc('apps', 'v1').components.schemas;
    const d = s['io.k8s.api.apps.v1.Deployment'];
    assert.deepEqual(d?.['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    const spec = s['io.k8s.api.apps.v1.DeploymentSpec']?.['properties'] as Record<string, Schema> | undefined;
    assert.deepEqual(Object.keys(spec ?? {}).sort(), [
      'minReadySeconds',
      'paused',
      'progressDeadlineSeconds',
      'replicas',
      'revisionHistoryLimit',
      'selector',
      'strategy',
      'template',
    ]);
    assert.deepEqual(spec?.['replicas'], { type: 'integer', format: 'int32', description: 'Number of desired pods. Defaults to 1.' });
    assert.equal(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.['x-kubernetes-int-or-string'], true);
    const status = (d?.['properties'] as Record<string, Schema>)['status'];
    assert.equal(status?.['x-kubernetes-preserve-unknown-fields'], true);
    const container = s['io.k8s.api.core.v1.Container']?.['properties'] as Record<string, Schema> | undefined;
    assert.equal(container?.['image']?.['type'], 'string');
  });

  it('keep advertising fieldValidation on PATCH, and not strategic-merge-patch', () => {
    const patch = (doc('apps', 'v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as Schema)['patch'] as Schema;
    assert.ok((patch['parameters'] as { name: string }[]).some((p) => p.name === 'fieldValidation'));
    const content = (patch['requestBody'] as { content: Schema }).content;
    assert.equal(Object.hasOwn(content, 'application/strategic-merge-patch+json'), false);
  });
});
