// `mkctl describe`, `api-resources`, `api-versions`, `version`, `config`, `cluster-info` and help, end to end.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kubectl } from '../support/kubectl.js';
import { createAll, everyKind, lines, suite } from './fixtures.js';

const s = suite();

describe('mkctl describe', () => {
  it('shows a pod’s important fields and its events', async () => {
    const ns = await s.namespace('describe');
    await createAll(s, everyKind(ns));
    const uid = (await s.api('v1', 'Pod').get('web-1', { namespace: ns })).metadata.uid;
    await s.api('v1', 'Event').patch('web-1.ev', 'merge', { involvedObject: { uid }, lastTimestamp: new Date().toISOString() }, { namespace: ns });
    const out = await s.ok(['describe', 'pod', 'web-1', '-n', ns]);
    assert.match(out, /^Name: +web-1\nNamespace: +describe-\d+\n/);
    assert.match(out, /^Labels: +app=web$/m);
    assert.match(out, /^Status: +Pending$/m);
    assert.match(out, /^Containers:\n {2}app:\n {4}Image: {8}busybox:1\.36\n/m);
    assert.match(
      out,
      /^Events:\n {2}Type {4}Reason {5}Age +From {15}Message\n {2}---- {4}------ {5}--- +---- {15}-------\n {2}Normal {2}Scheduled {2}\d+s +default-scheduler {2}assigned to node-1\n/m,
    );
  });

  it('describes deployments, services, config maps, nodes and kinds without a describer', async () => {
    const ns = await s.namespace('describe');
    await createAll(s, everyKind(ns));
    const dep = await s.ok(['describe', 'deploy', 'web', '-n', ns]);
    assert.match(dep, /^Replicas: +2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
    assert.match(dep, /^StrategyType: +RollingUpdate$/m);
    assert.match(dep, /^Pod Template:\n {2}Labels: +app=web\n {2}Containers:\n {4}app:\n {6}Image: +nginx:1\.27$/m);
    assert.match(dep, /^Events: +<none>$/m);
    const svc = await s.ok(['describe', 'svc/web', '-n', ns]);
    assert.match(svc, /^Type: +ClusterIP$/m);
    assert.match(svc, /^Port: +<unset> {2}80\/TCP$/m);
    assert.match(svc, /^Endpoints: +10\.1\.0\.5:8080$/m);
    const cm = await s.ok(['describe', 'cm', 'cfg', '-n', ns]);
    assert.match(cm, /^Data\n====\na:\n----\n1\n\nb:\n----\n2\n/m);
    const hpa = await s.ok(['describe', 'hpa', 'web', '-n', ns]);
    assert.match(hpa, /^Spec:\n {2}Scale Target Ref:\n {4}API Version: +apps\/v1\n/m);
    assert.match(hpa, /^ {2}Max Replicas: +5$/m);
    await s
      .api('v1', 'Node')
      .create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'describe-node' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.9' }] } });
    const node = await s.ok(['describe', 'node', 'describe-node']);
    assert.match(node, /^Name: +describe-node\nRoles: +<none>\n/);
    assert.match(node, /^Non-terminated Pods: +\(0 in total\)$/m);
    const missing = await s.fails(['describe', 'pod', 'nope', '-n', ns]);
    assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
  });
});

describe('mkctl api-resources, api-versions, version, cluster-info', () => {
  it('lists what the server serves, as kubectl does', async () => {
    const kc = { kubeconfig: s.server().kubeconfig };
    for (const args of [
      ['api-resources'],
      ['api-resources', '-o', 'wide'],
      ['api-resources', '--namespaced=false'],
      ['api-resources', '-o', 'name'],
      ['api-versions'],
    ]) {
      const theirs = await kubectl(args, kc);
      assert.deepEqual(
        lines(await s.ok(args)),
        lines(theirs.stdout).map((l) => l.trimEnd()),
        `mkctl ${args.join(' ')}`,
      );
    }
  });

  it('prints versions (the client one without a server) and the control plane address', async () => {
    assert.equal(await s.ok(['version', '--client', '--kubeconfig', '/nonexistent']), 'Client Version: v1.32.0-minik8s\n');
    assert.equal(await s.ok(['version']), 'Client Version: v1.32.0-minik8s\nServer Version: v1.32.0-minik8s\n');
    const v = JSON.parse(await s.ok(['version', '-o', 'json'])) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string; minor: string };
    };
    assert.equal(v.clientVersion.gitVersion, 'v1.32.0-minik8s');
    assert.equal(v.serverVersion.minor, '32');
    assert.equal(
      await s.ok(['cluster-info']),
      `Kubernetes control plane is running at https://127.0.0.1:${s.server().port}\n\nTo see what the cluster serves, use 'mkctl api-resources'.\n`,
    );
  });
});

describe('mkctl config', () => {
  it('views (redacted), lists, switches and edits contexts in the kubeconfig it uses', async () => {
    const path = join(s.dir(), 'two-contexts.kubeconfig');
    const base = readFileSync(s.server().kubeconfig, 'utf8');
    writeFileSync(
      path,
      `${base}# a comment that must survive\n`.replace(
        'contexts:\n',
        'contexts:\n- name: other\n  context:\n    cluster: minik8s\n    user: minik8s-admin\n    namespace: team-b\n',
      ),
    );
    const view = await s.ok(['config', 'view', '--kubeconfig', path]);
    assert.match(view, /certificate-authority-data: DATA\+OMITTED/);
    assert.match(view, /token: REDACTED/);
    assert.match(await s.ok(['config', 'view', '--raw', '--kubeconfig', path]), new RegExp(`token: ${s.server().token}`));
    assert.equal(lines(await s.ok(['config', 'view', '--minify', '--kubeconfig', path])).filter((l) => l.startsWith('- context:')).length, 1);
    assert.equal(
      await s.ok(['config', 'get-contexts', '--kubeconfig', path]),
      'CURRENT   NAME      CLUSTER   AUTHINFO        NAMESPACE\n          other     minik8s   minik8s-admin   team-b\n*         minik8s   minik8s   minik8s-admin   default\n',
    );
    assert.equal(await s.ok(['config', 'use-context', 'other', '--kubeconfig', path]), 'Switched to context "other".\n');
    assert.equal(await s.ok(['config', 'current-context', '--kubeconfig', path]), 'other\n');
    // The new context's namespace is the default now.
    assert.equal((await s.run(['get', 'pods', '--kubeconfig', path])).stderr, 'No resources found in team-b namespace.\n');
    assert.equal(await s.ok(['config', 'set-context', '--current', '--namespace=team-c', '--kubeconfig', path]), 'Context "other" modified.\n');
    assert.equal(
      await s.ok(['config', 'set-context', 'third', '--cluster=minik8s', '--user=minik8s-admin', '--kubeconfig', path]),
      'Context "third" created.\n',
    );
    assert.deepEqual(lines(await s.ok(['config', 'get-contexts', '-o', 'name', '--kubeconfig', path])), ['other', 'minik8s', 'third']);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /# a comment that must survive/);
    assert.match(text, /namespace: team-c/);
    assert.equal(
      (await s.fails(['config', 'use-context', 'nope', '--kubeconfig', path])).stderr,
      `error: no context exists with the name: "nope" (see 'mkctl config get-contexts')\n`,
    );
    // kubectl reads the edited file.
    const k = await kubectl(['config', 'current-context'], { kubeconfig: path });
    assert.equal(k.stdout, 'other\n');
  });
});

describe('mkctl help', () => {
  it('lists the commands, shows a command’s flags, and refuses unknown commands', async () => {
    const overview = await s.ok([]);
    for (const cmd of [
      'get',
      'describe',
      'create',
      'apply',
      'delete',
      'patch',
      'label',
      'annotate',
      'scale',
      'api-resources',
      'version',
      'config',
      'cluster-info',
      'completion',
    ])
      assert.match(overview, new RegExp(`^ {2}${cmd} `, 'm'));
    assert.doesNotMatch(overview, /__complete/);
    const help = await s.ok(['get', '--help']);
    assert.match(help, /^Usage:\n {2}mkctl get /m);
    assert.match(help, /^ {2}-o, --output=VALUE +wide, yaml, json/m);
    assert.equal(await s.ok(['help', 'get']), help);
    const unknown = await s.fails(['frobnicate']);
    assert.equal(unknown.stderr, `error: unknown command "frobnicate" for "mkctl"\nRun 'mkctl help' for the list of commands.\n`);
  });
});
