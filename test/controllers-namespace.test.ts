// The namespace controller on a real single-node cluster: `kubectl delete namespace` of a namespace holding a
// ReplicaSet with running pods and ConfigMaps turns it Terminating, refuses new content (403), removes the pods
// (stopped on Docker), the ConfigMaps and the ReplicaSet, waits for an object held by a finalizer, then removes
// the namespace itself; the system namespaces cannot be deleted.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { namespaceYaml, replicaSetYaml, startCluster, type TestCluster } from './support/cluster.js';
import { until } from './support/until.js';

const run = promisify(execFile);

describe('namespace controller end-to-end (minik8s server on Docker)', () => {
  const ns = `ns-e2e-${process.pid}`;
  let cluster: TestCluster | undefined;
  after(async () => {
    await cluster?.stop([ns]);
  });

  it('deleting a namespace removes its pods, configmaps and replicasets, then the namespace', { timeout: 600_000 }, async () => {
    cluster = await startCluster('nse2e', 'replicaset,garbagecollector,namespace');
    const c = cluster;
    const configMaps = [1, 2].map((i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ${ns}\ndata:\n  k: v${i}\n`).join('');
    // A ConfigMap with a finalizer of its own holds the namespace until the test lets it go.
    const held = `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: ${ns}\n  finalizers: [example.com/hold]\n`;
    await c.ok(['apply', '-f', '-'], namespaceYaml(ns) + configMaps + held + '---\n' + replicaSetYaml({ name: 'web', namespace: ns, replicas: 2 }));
    assert.equal(await c.ok(['get', 'ns', ns, '-o', 'jsonpath={.spec.finalizers} {.status.phase}']), '["kubernetes"] Active');
    await until(
      '2 running pods',
      async () => {
        const r = await c.ok(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[*].status.phase}']);
        return r === 'Running Running' ? r : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    const running = async (): Promise<number> =>
      (await run('docker', ['ps', '-q', '--filter', `label=io.minik8s.pod.namespace=${ns}`])).stdout.split('\n').filter(Boolean).length;
    assert.ok((await running()) >= 2, 'the pods run on Docker');

    const deleting = c.k(['delete', 'namespace', ns, '--timeout=180s'], undefined, 200_000);
    const phase = await until(
      'Terminating',
      async () => {
        const r = await c.k(['get', 'ns', ns, '-o', 'jsonpath={.status.phase}']);
        return r.stdout === 'Terminating' ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.equal(phase, 'Terminating');
    const refused = await c.k(['apply', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: ${ns}\n`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Forbidden.*unable to create new content in namespace .* because it is being terminated/, refused.stderr);

    // Everything else goes; the namespace waits for the held ConfigMap, then goes once its finalizer is removed.
    await until(
      'all but the held ConfigMap to go',
      async () => {
        const r = await c.ok(['get', 'pods,configmaps,replicasets', '-n', ns, '-o', 'name']);
        return r.trim() === 'configmap/held' ? r : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    assert.equal(await c.ok(['get', 'ns', ns, '-o', 'jsonpath={.status.phase}']), 'Terminating');
    const remaining = await c.ok(['get', 'ns', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="NamespaceContentRemaining")].message}']);
    assert.match(remaining, /configmaps has 1 resource instances/);
    await c.ok(['patch', 'configmap', 'held', '-n', ns, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);

    const del = await deleting;
    assert.equal(del.code, 0, del.stderr);
    assert.match((await c.k(['get', 'ns', ns])).stderr, /NotFound/);
    for (const kind of ['pods', 'configmaps', 'replicasets']) {
      const r = await c.k(['get', kind, '-n', ns, '-o', 'name']);
      assert.equal(r.stdout.trim(), '', `${kind} left in ${ns}: ${r.stdout}`);
    }
    await until("the pods' containers to stop", async () => ((await running()) === 0 ? true : undefined), 60_000);

    for (const system of ['default', 'kube-system', 'kube-public']) {
      const r = await c.k(['delete', 'namespace', system, '--wait=false']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Forbidden.*may not be deleted/);
    }
  });
});
