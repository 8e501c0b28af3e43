import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseKubeconfig } from './kubeconfig.js';
import { parseSimpleYaml } from './simpleyaml.js';

const KUBECONFIGS = [
  // As `minik8s` writes it.
  `apiVersion: v1
kind: Config
clusters:
- name: minik8s
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: LS0tLS1CRUdJTi==
users:
- name: minik8s-admin
  user:
    token: abc.def
contexts:
- name: minik8s
  context:
    cluster: minik8s
    user: minik8s-admin
    namespace: default
current-context: minik8s
preferences: {}
`,
  // As kubectl writes it (sorted keys, nested sequences at the parent's indent, quoted values).
  `apiVersion: v1
clusters:
- cluster:
    insecure-skip-tls-verify: true
    server: "https://10.0.0.1:6443"
  name: 'dev cluster'
contexts:
- context:
    cluster: dev cluster
    namespace: team-a   # comment
    user: dev
  name: dev
current-context: dev
kind: Config
preferences: {}
users:
- name: dev
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      args:
      - get-token
      - --cluster=dev
      command: /usr/bin/auth
      env: []
      provideClusterInfo: false
`,
  '---\n# only a comment\na: 1\nb: -x\nc: ~\nd:\ne: "quoted: \\"yes\\""\n',
];

const UNSUPPORTED = [
  'a: &x 1\nb: *x\n',
  'a: |\n  text\n',
  'a: [1, 2]\n',
  'a: {b: 1}\n',
  'a: !!str 1\n',
  'a: 1\na: 2\n',
  'a: b\n---\nc: d\n',
  'a: "multi\n  line"\n',
  'a: 0x10\n',
  'a: 1.5\n',
  "a: 'it''s' x'\n",
];

describe('parseSimpleYaml', () => {
  it('reads kubeconfigs exactly as the yaml package does', () => {
    for (const text of KUBECONFIGS) assert.deepEqual(parseSimpleYaml(text), parse(text), text);
  });

  it('answers undefined (so the caller uses the full parser) outside its subset', () => {
    for (const text of UNSUPPORTED) assert.equal(parseSimpleYaml(text), undefined, text);
  });

  it('never disagrees with the yaml package on what it accepts', () => {
    const samples = [
      "a: 'it''s'\n",
      'a:\n- b\n- - c\n  - d\n',
      'k: -1\nv: true\nw: False\nx: null\n',
      'a:\n  b:\n    c: d\n  e: f\ng: h\n',
      '- a\n- b: c\n  d: e\n',
    ];
    for (const text of samples) {
      const simple = parseSimpleYaml(text);
      if (simple !== undefined) assert.deepEqual(simple, parse(text), text);
    }
  });
});

describe('parseKubeconfig', () => {
  it('reads kubeconfigs outside the simple subset through the yaml package', () => {
    const flow = `{apiVersion: v1, kind: Config, current-context: c, clusters: [{name: k, cluster: {server: "https://10.0.0.1:6443/"}}], users: [{name: u, user: {token: t}}], contexts: [{name: c, context: {cluster: k, user: u, namespace: ns}}]}`;
    const anchors = `clusters:\n- name: k\n  cluster: &k\n    server: https://10.0.0.2\nusers:\n- name: u\n  user:\n    token: |-\n      t2\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\n`;
    assert.deepEqual(parseKubeconfig(flow, { path: '/x' }), { server: 'https://10.0.0.1:6443', insecureSkipTlsVerify: false, namespace: 'ns', context: 'c', token: 't' });
    assert.deepEqual(parseKubeconfig(anchors, { path: '/x' }), { server: 'https://10.0.0.2', insecureSkipTlsVerify: false, namespace: 'default', context: 'c', token: 't2' });
  });
});
