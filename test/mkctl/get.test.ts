// `mkctl get` end to end: the columns of every kind (checked against the real kubectl on the same
// server), kinds by name, plural and short name, namespaces, selectors, every output format, watch, and
// the errors people hit.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kubectl } from '../support/kubectl.js';
import { columns, createAll, everyKind, lines, pod, suite, table } from './fixtures.js';

const s = suite();

/** Cells that depend on the second the command ran in. */
const withoutAge = (out: string): string[][] => {
  const t = columns(out);
  const age = t.headers.indexOf('AGE');
  const last = t.headers.indexOf('LAST SEEN');
  return [t.headers, ...t.rows.map((r) => r.filter((_, i) => i !== age && i !== last))];
};

describe('mkctl get: tables', () => {
  it('prints kubectl’s columns for every kind, by plural, singular and short name', async () => {
    const ns = await s.namespace('kinds');
    await createAll(s, everyKind(ns));
    const kinds = ['pods', 'services', 'endpoints', 'configmaps', 'secrets', 'events', 'deployments', 'replicasets', 'jobs', 'hpa', 'ingresses'];
    for (const kind of kinds) {
      const mine = await s.ok(['get', kind, '-n', ns]);
      const theirs = await kubectl(['get', kind, '-n', ns], { kubeconfig: s.server().kubeconfig });
      assert.equal(theirs.code, 0, `kubectl get ${kind} exited ${theirs.code}: ${theirs.stderr}`);
      assert.deepEqual(withoutAge(mine).slice(0, 1), withoutAge(theirs.stdout).slice(0, 1), `headers of get ${kind}`);
      assert.deepEqual(withoutAge(mine), withoutAge(theirs.stdout), `get ${kind}:\n${mine}\nkubectl:\n${theirs.stdout}`);
    }
    const aliases: Record<string, string[]> = {
      pods: ['po', 'pod', 'Pod'],
      services: ['svc', 'service'],
      deployments: ['deploy', 'deployment', 'deployments.apps'],
      replicasets: ['rs'],
      horizontalpodautoscalers: ['hpa'],
      ingresses: ['ing'],
      configmaps: ['cm'],
    };
    for (const [plural, names] of Object.entries(aliases)) {
      const expected = withoutAge(await s.ok(['get', plural, '-n', ns]));
      for (const n of names) assert.deepEqual(withoutAge(await s.ok(['get', n, '-n', ns])), expected, `get ${n}`);
    }
    const pods = table(await s.ok(['get', 'po', '-n', ns]));
    assert.deepEqual(pods.headers, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(table(await s.ok(['get', 'svc', '-n', ns])).headers, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  });

  it('prints cluster-wide kinds (nodes, namespaces) and their wide columns', async () => {
    await s.api('v1', 'Node').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { 'node-role.kubernetes.io/worker': '' } } });
    const nodes = table(await s.ok(['get', 'no']));
    assert.deepEqual(nodes.headers, ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    assert.deepEqual(nodes.rows.find((r) => r[0] === 'node-a')?.slice(0, 3), ['node-a', 'Unknown', 'worker']);
    assert.deepEqual(table(await s.ok(['get', 'nodes', '-o', 'wide'])).headers, [
      'NAME',
      'STATUS',
      'ROLES',
      'AGE',
      'VERSION',
      'INTERNAL-IP',
      'EXTERNAL-IP',
      'OS-IMAGE',
      'KERNEL-VERSION',
      'CONTAINER-RUNTIME',
    ]);
    const namespaces = table(await s.ok(['get', 'ns']));
    assert.deepEqual(namespaces.headers, ['NAME', 'STATUS', 'AGE']);
    assert.ok(namespaces.rows.some((r) => r[0] === 'kube-system' && r[1] === 'Active'));
  });

  it('sorts, selects by label and field, adds -A, --show-labels, -L and wide columns', async () => {
    const ns = await s.namespace('select');
    const other = await s.namespace('select');
    await createAll(s, [
      pod(ns, 'zeta', { app: 'web', tier: 'back' }),
      pod(ns, 'alpha', { app: 'web', tier: 'front' }),
      pod(ns, 'mid', { app: 'db' }),
      pod(other, 'elsewhere', { app: 'web' }),
    ]);
    assert.deepEqual(
      table(await s.ok(['get', 'pods', '-n', ns])).rows.map((r) => r[0]),
      ['alpha', 'mid', 'zeta'],
    );
    assert.deepEqual(
      table(await s.ok(['get', 'pods', '-n', ns, '-l', 'app=web'])).rows.map((r) => r[0]),
      ['alpha', 'zeta'],
    );
    assert.deepEqual(
      table(await s.ok(['get', 'pods', '-n', ns, '-l', 'tier in (front),app'])).rows.map((r) => r[0]),
      ['alpha'],
    );
    assert.deepEqual(
      table(await s.ok(['get', 'pods', '-n', ns, '--field-selector', 'metadata.name!=mid'])).rows.map((r) => r[0]),
      ['alpha', 'zeta'],
    );
    const all = table(await s.ok(['get', 'pods', '-A', '-l', 'app=web']));
    assert.equal(all.headers[0], 'NAMESPACE');
    assert.deepEqual(
      all.rows.filter((r) => r[0] === ns || r[0] === other).map((r) => `${r[0]}/${r[1]}`),
      [`${ns}/alpha`, `${ns}/zeta`, `${other}/elsewhere`],
    );
    const labelled = table(await s.ok(['get', 'pods', '-n', ns, '--show-labels', '-L', 'tier']));
    assert.deepEqual(labelled.headers.slice(-2), ['TIER', 'LABELS']);
    assert.deepEqual(labelled.rows[0]?.slice(-2), ['front', 'app=web,tier=front']);
    assert.deepEqual(table(await s.ok(['get', 'pods', '-n', ns, '-o', 'wide'])).headers, [
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    // No header row; the pod without the label sorts first.
    const sorted = lines(await s.ok(['get', 'pods', '-n', ns, '--sort-by', '.metadata.labels.tier', '--no-headers'])).map((l) => l.split(' ')[0]);
    assert.deepEqual(sorted, ['mid', 'zeta', 'alpha']);
    // Aligned: every column starts at the same offset on every line.
    const out = lines(await s.ok(['get', 'pods', '-n', ns]));
    const statusAt = out[0]?.indexOf('STATUS');
    for (const l of out.slice(1)) assert.equal(l.indexOf('Pending'), statusAt, `aligned columns:\n${out.join('\n')}`);
  });

  it('shows several kinds at once with kind/name, KIND/NAME arguments and `all`', async () => {
    const ns = await s.namespace('multi');
    await createAll(s, everyKind(ns));
    const out = await s.ok(['get', 'deploy,svc', '-n', ns]);
    assert.match(out, /^NAME {2,}READY/m);
    assert.match(out, /^deployment\.apps\/web /m);
    assert.match(out, /^service\/web /m);
    assert.deepEqual(table(await s.ok(['get', 'pod/web-1', 'svc/web', '-n', ns, '-o', 'name'])).headers, ['pod/web-1']);
    assert.deepEqual(lines(await s.ok(['get', 'pod/web-1', 'svc/web', '-n', ns, '-o', 'name'])), ['pod/web-1', 'service/web']);
    const everything = await s.ok(['get', 'all', '-n', ns]);
    for (const ref of [
      'pod/web-1',
      'service/web',
      'deployment.apps/web',
      'replicaset.apps/web-abc',
      'job.batch/once',
      'horizontalpodautoscaler.autoscaling/web',
    ])
      assert.match(everything, new RegExp(`^${ref.replace(/\./g, '\\.')} `, 'm'));
  });
});

describe('mkctl get: output formats', () => {
  it('prints json, yaml, name, jsonpath and custom-columns', async () => {
    const ns = await s.namespace('formats');
    await createAll(s, [pod(ns, 'a', { app: 'x' }), pod(ns, 'b', { app: 'y' })]);
    const one = JSON.parse(await s.ok(['get', 'pod', 'a', '-n', ns, '-o', 'json'])) as { kind: string; metadata: { name: string } };
    assert.equal(one.kind, 'Pod');
    assert.equal(one.metadata.name, 'a');
    const list = JSON.parse(await s.ok(['get', 'pods', '-n', ns, '-ojson'])) as {
      kind: string;
      items: { kind: string; apiVersion: string; metadata: { name: string } }[];
    };
    assert.equal(list.kind, 'List');
    assert.deepEqual(
      list.items.map((i) => `${i.apiVersion}/${i.kind}/${i.metadata.name}`),
      ['v1/Pod/a', 'v1/Pod/b'],
    );
    const yaml = await s.ok(['get', 'pod', 'a', '-n', ns, '-o', 'yaml']);
    assert.match(yaml, /^apiVersion: v1\nkind: Pod\nmetadata:\n/);
    assert.match(yaml, /^ {2}containers:\n {2}- image: busybox:1\.36\n/m);
    assert.equal(await s.ok(['get', 'pods', '-n', ns, '-o', 'name']), 'pod/a\npod/b\n');
    assert.equal(await s.ok(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}']), 'a b');
    assert.equal(await s.ok(['get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.app}{"\\n"}{end}']), 'a=x\nb=y\n');
    assert.equal(await s.ok(['get', 'pod', 'b', '-n', ns, '-o', 'jsonpath={.spec.containers[0].image}']), 'busybox:1.36');
    assert.equal(
      await s.ok(['get', 'pods', '-n', ns, '-o', 'custom-columns=NAME:.metadata.name,APP:.metadata.labels.app,NODE:.spec.nodeName']),
      'NAME   APP   NODE\na      x     <none>\nb      y     <none>\n',
    );
    // The same bytes kubectl prints for -o json of one object.
    const theirs = await kubectl(['get', 'pod', 'a', '-n', ns, '-o', 'json'], { kubeconfig: s.server().kubeconfig });
    assert.deepEqual(JSON.parse(await s.ok(['get', 'pod', 'a', '-n', ns, '-o', 'json'])), JSON.parse(theirs.stdout));
  });
});

describe('mkctl get -w', () => {
  it('lists, then prints a row for each change', async () => {
    const ns = await s.namespace('watch');
    await createAll(s, [pod(ns, 'first')]);
    const w = s.start(['get', 'pods', '-n', ns, '-w']);
    try {
      await w.waitForLine(/^NAME +READY +STATUS/);
      await w.waitForLine(/^first +0\/1 +Pending/);
      await createAll(s, [pod(ns, 'second')]);
      await w.waitForLine(/^second +0\/1 +Pending/);
      await s.api('v1', 'Pod').delete('first', { namespace: ns });
      await w.waitForLine(/^first /);
    } finally {
      await w.stop();
    }
    const names = s.start(['get', 'pods', '-n', ns, '-w', '--watch-only', '-o', 'name']);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      await createAll(s, [pod(ns, 'third')]);
      await names.waitForLine(/^pod\/third$/);
      assert.ok(!names.lines.includes('pod/second'), `--watch-only printed the existing pod: ${names.lines.join(', ')}`);
    } finally {
      await names.stop();
    }
  });
});

describe('mkctl get: errors', () => {
  it('reports what the server said, and exits non-zero', async () => {
    const ns = await s.namespace('errors');
    await createAll(s, [pod(ns, 'here')]);
    const r = await s.fails(['get', 'pods', 'here', 'missing', '-n', ns]);
    assert.equal(r.stderr, 'Error from server (NotFound): pods "missing" not found\n');
    assert.match(r.stdout, /^here +0\/1/m, 'the pod that exists is still printed');
    assert.equal((await s.fails(['get', 'deploy', 'nope', '-n', ns])).stderr, 'Error from server (NotFound): deployments.apps "nope" not found\n');
    assert.equal((await s.run(['get', 'pods', 'missing', '-n', ns, '--ignore-not-found'])).code, 0);
  });

  it('explains unknown kinds, flags and formats, empty results and an unreachable server', async () => {
    assert.match((await s.fails(['get', 'flurbs'])).stderr, /^error: the server doesn't have a resource type "flurbs"/);
    const flag = await s.fails(['get', 'pods', '--colour']);
    assert.equal(flag.stderr, "error: unknown flag: --colour\nSee 'mkctl get --help' for usage.\n");
    assert.match((await s.fails(['get', 'pods', '-o', 'xml'])).stderr, /unsupported output format "xml"/);
    assert.match((await s.fails(['get'])).stderr, /you must specify the kind/);
    const ns = await s.namespace('empty');
    const empty = await s.run(['get', 'pods', '-n', ns]);
    assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, '', `No resources found in ${ns} namespace.\n`]);
    assert.match((await s.fails(['get', 'pods', '--context', 'nope'])).stderr, /context "nope" not found/);
    const dead = join(s.dir(), 'dead.kubeconfig');
    writeFileSync(dead, readFileSync(s.server().kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1'));
    const down = await s.fails(['get', 'pods', '--kubeconfig', dead]);
    assert.equal(down.stderr, 'error: the connection to the server https://127.0.0.1:1 was refused - did you specify the right host or port?\n');
  });
});
