import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { expandVars, referencedObjects, resolveEnv, type EnvContext } from './env.js';
import { makePod } from './testing.js';
import type { ConfigMap, Container, Secret } from './types.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function ctx(over: Partial<EnvContext> = {}): EnvContext {
  const pod = makePod('web', { serviceAccountName: 'sa1' }, { labels: { app: 'web', 'tier.x/y': 'front' }, annotations: { note: 'hi' } });
  const cm: ConfigMap = { metadata: { name: 'cfg', namespace: 'default' }, data: { MODE: 'prod', LEVEL: 'debug', 'bad key': 'x' } };
  const secret: Secret = { metadata: { name: 'creds', namespace: 'default' }, data: { PASSWORD: b64('s3cret'), TOKEN: b64('t0k') } };
  return {
    pod,
    podIP: '10.88.0.5',
    hostIP: '192.168.1.10',
    configMaps: new Map([
      ['cfg', cm],
      ['missing', undefined],
    ]),
    secrets: new Map([['creds', secret]]),
    ...over,
  };
}

describe('env resolution', () => {
  it('resolves values, field refs, ConfigMap and Secret keys, in order with later entries winning', () => {
    const c: Container = {
      name: 'main',
      envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'creds' } }],
      env: [
        { name: 'PLAIN', value: 'v' },
        { name: 'MODE', value: 'override' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier.x/y']" } } },
        { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'LVL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LEVEL' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        { name: 'URL', value: 'http://$(POD_IP):80/$(APP)?$$x=$(UNDEFINED)' },
      ],
    };
    const r = resolveEnv(c, ctx());
    assert.ok(r.ok, JSON.stringify(r));
    const env = r.env;
    assert.equal(env['PLAIN'], 'v');
    assert.equal(env['MODE'], 'override');
    assert.equal(env['LEVEL'], 'debug');
    assert.equal(env['bad key'], undefined, 'keys that are not variable names are skipped');
    assert.equal(env['S_PASSWORD'], 's3cret');
    assert.equal(env['S_TOKEN'], 't0k');
    assert.equal(env['POD_NAME'], 'web');
    assert.equal(env['POD_NS'], 'default');
    assert.match(env['POD_UID'] ?? '', /^uid-web-/);
    assert.equal(env['APP'], 'web');
    assert.equal(env['TIER'], 'front');
    assert.equal(env['NOTE'], 'hi');
    assert.equal(env['NODE'], 'node-1');
    assert.equal(env['SA'], 'sa1');
    assert.equal(env['POD_IP'], '10.88.0.5');
    assert.equal(env['HOST_IP'], '192.168.1.10');
    assert.equal(env['LVL'], 'debug');
    assert.equal(env['PW'], 's3cret');
    assert.equal(env['URL'], 'http://10.88.0.5:80/web?$x=$(UNDEFINED)');
  });

  it('fails on a missing ConfigMap, Secret or key unless optional', () => {
    const one = (env: Container['env'], envFrom?: Container['envFrom']): ReturnType<typeof resolveEnv> =>
      resolveEnv({ name: 'c', env, ...(envFrom ? { envFrom } : {}) }, ctx());
    const r1 = one([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }]);
    assert.deepEqual(r1, { ok: false, error: 'configmap "missing" not found' });
    const r2 = one([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }]);
    assert.deepEqual(r2, { ok: false, error: "couldn't find key nope in ConfigMap default/cfg" });
    const r3 = one([{ name: 'X', valueFrom: { secretKeyRef: { name: 'other', key: 'k' } } }]);
    assert.deepEqual(r3, { ok: false, error: 'secret "other" not found' });
    const r4 = one(
      [
        { name: 'X', valueFrom: { secretKeyRef: { name: 'other', key: 'k', optional: true } } },
        { name: 'Y', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
      ],
      [{ configMapRef: { name: 'missing', optional: true } }],
    );
    assert.deepEqual(r4, { ok: true, env: {} });
    const r5 = one([], [{ secretRef: { name: 'absent' } }]);
    assert.deepEqual(r5, { ok: false, error: 'secret "absent" not found' });
  });

  it('resolves resourceFieldRef against limits and requests', () => {
    const c: Container = {
      name: 'c',
      resources: { limits: { cpu: '1500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
      env: [
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
    };
    const r = resolveEnv(c, ctx());
    assert.deepEqual(r, { ok: true, env: { CPU_LIMIT: '2', CPU_REQ_M: '250', MEM_MI: '128' } });
  });

  it('lists the objects a container refers to', () => {
    const refs = referencedObjects({
      name: 'c',
      envFrom: [{ configMapRef: { name: 'a' } }, { secretRef: { name: 's1' } }],
      env: [
        { name: 'X', valueFrom: { configMapKeyRef: { name: 'b', key: 'k' } } },
        { name: 'Y', valueFrom: { secretKeyRef: { name: 's2', key: 'k' } } },
      ],
    });
    assert.deepEqual([...refs.configMaps].sort(), ['a', 'b']);
    assert.deepEqual([...refs.secrets].sort(), ['s1', 's2']);
  });

  it('expands $(VAR) and $$ like Kubernetes', () => {
    const look = (n: string): string | undefined => ({ A: '1', B: '2' })[n];
    assert.equal(expandVars('$(A)-$(B)', look), '1-2');
    assert.equal(expandVars('$$(A)', look), '$(A)');
    assert.equal(expandVars('$(C)', look), '$(C)');
    assert.equal(expandVars('$(A', look), '$(A');
    assert.equal(expandVars('cost: $5', look), 'cost: $5');
    assert.equal(expandVars('end$', look), 'end$');
  });
});
