import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from './defaults.js';

describe('applyDefaults', () => {
  it('gives probes their timing fields and an httpGet its path and scheme, keeping what was set', () => {
    const pod = {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'busybox:1.36',
            readinessProbe: { httpGet: { port: 80 }, periodSeconds: 2 },
            livenessProbe: { exec: { command: ['true'] } },
          },
        ],
      },
    };
    applyDefaults('v1/Pod', pod);
    const [c] = pod.spec.containers;
    assert.deepEqual(c?.readinessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      periodSeconds: 2,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c?.livenessProbe, { exec: { command: ['true'] }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });

  it('defaults probes inside a Deployment template too', () => {
    const d = { spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 'x:1', startupProbe: { tcpSocket: { port: 1 } } }] } } } };
    applyDefaults('apps/v1/Deployment', d);
    assert.equal((d.spec.template.spec.containers[0]?.startupProbe as Record<string, unknown>)['failureThreshold'], 3);
  });
});
