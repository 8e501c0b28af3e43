// fieldValidation=Strict|Warn|Ignore on create, update and patch, over HTTPS against a real API
// server, and the OpenAPI schemas from the same table as `kubectl explain` shows them.

import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { isApiError } from '../src/api/errors.js';
import { startTestServer, type TestServer } from './support/apiserver.js';
import { kubectl } from './support/kubectl.js';

const NS = 'fv';
const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOYS = `/apis/apps/v1/namespaces/${NS}/deployments`;

let server: TestServer | undefined;

function srv(): TestServer {
  if (!server) throw new Error('the API server did not start (see the failure of the before hook)');
  return server;
}

interface RawResponse {
  status: number;
  body: string;
  warnings: string[];
}

/** One HTTPS request; returns the status, the body text and the Warning header lines, one per warning. */
function send(method: string, path: string, body: unknown, contentType = 'application/json'): Promise<RawResponse> {
  const s = srv();
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${s.token}`, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) };
    const req = request({ host: '127.0.0.1', port: s.port, path, method, headers, rejectUnauthorized: false }, (res) => {
      let out = '';
      res.on('data', (c: Buffer) => (out += c.toString()));
      res.on('end', () => {
        // Node joins repeated headers with ", "; the raw list keeps each Warning line apart.
        const warnings = res.rawHeaders.filter((_, i) => i % 2 === 1 && res.rawHeaders[i - 1]?.toLowerCase() === 'warning');
        resolve({ status: res.statusCode ?? 0, body: out, warnings });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

function expectStatus(r: RawResponse, code: number, what: string): void {
  assert.equal(r.status, code, `expected ${what} to answer ${code}; got ${r.status}: ${r.body}`);
}

function message(r: RawResponse): string {
  return (JSON.parse(r.body) as { message?: string }).message ?? '';
}

const cm = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { a: 'b' },
  ...extra,
});

function deployment(name: string, container: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ...container }] } },
    },
  };
}

async function exists(path: string): Promise<boolean> {
  const r = await send('GET', path, undefined);
  return r.status === 200;
}

before(async () => {
  server = await startTestServer();
  await srv()
    .client.forObject({ apiVersion: 'v1', kind: 'Namespace' })
    .create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

after(async () => {
  await server?.stop();
});

describe('fieldValidation on create', () => {
  it('Strict refuses an unknown field with 400 and stores nothing', async () => {
    try {
      await srv().client.rest.json({ method: 'POST', path: CMS, query: { fieldValidation: 'Strict' }, body: cm('strict', { dta: { c: 'd' } }) });
      assert.fail('expected the create to be refused');
    } catch (e) {
      assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
      assert.equal(e.reason, 'BadRequest');
      assert.equal(e.code, 400);
      assert.equal(e.message, 'strict decoding error: unknown field "dta"');
    }
    assert.equal(await exists(`${CMS}/strict`), false, 'the refused ConfigMap must not be stored');
  });

  it('Strict names every unknown field, nested ones by their path', async () => {
    const d = deployment('typos', { imagee: 'nginx' });
    (d['spec'] as Record<string, unknown>)['replcas'] = 2;
    const r = await send('POST', `${DEPLOYS}?fieldValidation=Strict`, d);
    expectStatus(r, 400, 'a Strict create with two typos');
    assert.equal(message(r), 'strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replcas"');
  });

  it('Warn creates the object and sends one Warning header per unknown field', async () => {
    const r = await send('POST', `${CMS}?fieldValidation=Warn`, cm('warn', { dta: {}, extra: 1 }));
    expectStatus(r, 201, 'a Warn create');
    assert.deepEqual(r.warnings, ['299 - "unknown field \\"dta\\""', '299 - "unknown field \\"extra\\""']);
  });

  it('Warn is the default without the parameter', async () => {
    const r = await send('POST', CMS, cm('default', { dta: {} }));
    expectStatus(r, 201, 'a create without fieldValidation');
    assert.deepEqual(r.warnings, ['299 - "unknown field \\"dta\\""']);
  });

  it('Ignore creates the object silently', async () => {
    const r = await send('POST', `${CMS}?fieldValidation=Ignore`, cm('ignore', { dta: {} }));
    expectStatus(r, 201, 'an Ignore create');
    assert.deepEqual(r.warnings, []);
  });

  it('a valid object passes Strict without warnings', async () => {
    const r = await send(
      'POST',
      `${DEPLOYS}?fieldValidation=Strict`,
      deployment('valid', { ports: [{ containerPort: 80 }], resources: { limits: { cpu: '100m' } } }),
    );
    expectStatus(r, 201, 'a Strict create of a valid Deployment');
    assert.deepEqual(r.warnings, []);
  });

  it('refuses an unsupported fieldValidation value', async () => {
    const r = await send('POST', `${CMS}?fieldValidation=strict`, cm('bad-param'));
    expectStatus(r, 400, 'fieldValidation=strict (lower case)');
    assert.match(message(r), /fieldValidation/);
  });
});

describe('fieldValidation on update', () => {
  it('Strict refuses, Warn warns', async () => {
    const created = await send('POST', CMS, cm('upd'));
    expectStatus(created, 201, 'the create');
    const strict = await send('PUT', `${CMS}/upd?fieldValidation=Strict`, cm('upd', { dat: {} }));
    expectStatus(strict, 400, 'a Strict update with a typo');
    assert.equal(message(strict), 'strict decoding error: unknown field "dat"');
    const warn = await send('PUT', `${CMS}/upd?fieldValidation=Warn`, cm('upd', { dat: {} }));
    expectStatus(warn, 200, 'a Warn update with a typo');
    assert.deepEqual(warn.warnings, ['299 - "unknown field \\"dat\\""']);
  });
});

describe('fieldValidation on patch', () => {
  before(async () => {
    expectStatus(await send('POST', `${DEPLOYS}?fieldValidation=Ignore`, { ...deployment('p'), stored: 'unknown' }), 201, 'the create');
  });

  it('checks the fields of a merge patch', async () => {
    const r = await send('PATCH', `${DEPLOYS}/p?fieldValidation=Strict`, { spec: { replcas: 3 } }, 'application/merge-patch+json');
    expectStatus(r, 400, 'a Strict merge patch with a typo');
    assert.equal(message(r), 'strict decoding error: unknown field "spec.replcas"');
    const w = await send('PATCH', `${DEPLOYS}/p?fieldValidation=Warn`, { spec: { replcas: 3 } }, 'application/merge-patch+json');
    expectStatus(w, 200, 'a Warn merge patch with a typo');
    assert.deepEqual(w.warnings, ['299 - "unknown field \\"spec.replcas\\""']);
  });

  it('checks the patch, not the stored object: an unknown field stored earlier does not fail a valid patch', async () => {
    const r = await send('PATCH', `${DEPLOYS}/p?fieldValidation=Strict`, { spec: { replicas: 2 } }, 'application/merge-patch+json');
    expectStatus(r, 200, 'a Strict merge patch of a known field');
  });

  it('skips strategic-merge-patch directives', async () => {
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }],
            containers: [{ name: 'web', image: 'nginx:1.28' }],
          },
        },
      },
    };
    const ok = await send('PATCH', `${DEPLOYS}/p?fieldValidation=Strict`, patch, 'application/strategic-merge-patch+json');
    expectStatus(ok, 200, 'a Strict strategic patch with directives');
    const bad = await send(
      'PATCH',
      `${DEPLOYS}/p?fieldValidation=Strict`,
      { spec: { template: { spec: { containers: [{ name: 'web', imagee: 'x' }] } } } },
      'application/strategic-merge-patch+json',
    );
    expectStatus(bad, 400, 'a Strict strategic patch with a typo');
    assert.equal(message(bad), 'strict decoding error: unknown field "spec.template.spec.containers[0].imagee"');
  });

  it('checks an apply patch', async () => {
    const r = await send('PATCH', `${DEPLOYS}/p?fieldValidation=Strict&fieldManager=test`, { ...deployment('p'), dta: 1 }, 'application/apply-patch+yaml');
    expectStatus(r, 400, 'a Strict apply patch with a typo');
    assert.equal(message(r), 'strict decoding error: unknown field "dta"');
  });

  it('does not check a JSON patch', async () => {
    const r = await send('PATCH', `${DEPLOYS}/p?fieldValidation=Strict`, [{ op: 'add', path: '/spec/bogus', value: 1 }], 'application/json-patch+json');
    expectStatus(r, 200, 'a Strict JSON patch');
    assert.deepEqual(r.warnings, []);
  });
});

describe('kubectl', () => {
  const run = (args: string[], stdin?: string) => kubectl(args, { kubeconfig: srv().kubeconfig, ...(stdin === undefined ? {} : { stdin }) });

  it('explain deployment.spec lists replicas, selector and template', async () => {
    const r = await run(['explain', 'deployment.spec']);
    assert.equal(r.code, 0, `kubectl explain failed:\n${r.stdout}${r.stderr}`);
    for (const f of ['replicas', 'selector', 'template', 'strategy'])
      assert.match(r.stdout, new RegExp(`^  ${f}\\s+<`, 'm'), `expected field ${f} in:\n${r.stdout}`);
    assert.match(r.stdout, /^ {2}replicas\s+<integer>/m);
    assert.match(r.stdout, /^ {2}template\s+<PodTemplateSpec> -required-/m);
  });

  it('explain pods.spec.containers lists image, and descends further', async () => {
    const r = await run(['explain', 'pods.spec.containers']);
    assert.equal(r.code, 0, `kubectl explain failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^ {2}image\s+<string>/m);
    assert.match(r.stdout, /^ {2}ports\s+<\[\]ContainerPort>/m);
    const limits = await run(['explain', 'pods.spec.containers.resources.limits']);
    assert.equal(limits.code, 0, `kubectl explain failed:\n${limits.stdout}${limits.stderr}`);
    assert.match(limits.stdout, /FIELD: +limits <map\[string\]Quantity>/);
  });

  it('apply -f rejects a nested typo with its path', async () => {
    const manifest = JSON.stringify({ ...deployment('kubectl-typo', { imagee: 'nginx' }), metadata: { name: 'kubectl-typo', namespace: NS } });
    const r = await run(['apply', '-f', '-'], manifest);
    assert.notEqual(r.code, 0, `expected kubectl apply to fail; it printed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.imagee"/);
  });
});
