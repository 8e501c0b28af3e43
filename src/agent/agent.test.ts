// The agent against a real API server (in-process, HTTPS) with the in-memory runtime: registration and label
// preservation, a pod's life through the API, graceful deletion, and a restart that adopts what runs.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../test/support/apiserver.js';
import { isApiError } from '../api/errors.js';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import { realClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { startAgent, type AgentOptions, type RunningAgent } from './agent.js';
import { FakeRuntime } from './runtime/fake.js';
import type { NodeCondition, Pod } from './types.js';
import { until } from '../../test/support/until.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;
const EVENTS = lookupResource('', 'v1', 'events') as ResourceType;


describe('node agent with a real API server and the fake runtime', () => {
  let server: TestServer;
  let rootDir: string;
  let runtime: FakeRuntime;
  let agent: RunningAgent | undefined;

  const options = (): AgentOptions => ({
    client: server.client,
    runtime,
    nodeName: 'node-a',
    rootDir,
    nodeLabels: { 'node-role.kubernetes.io/worker': '', zone: 'z1' },
    capacity: { cpu: '3', memory: '4Gi' },
    nodeIP: '10.1.2.3',
    kubeletPort: 10250,
    heartbeatIntervalMs: 300,
    relistIntervalMs: 100,
    resyncIntervalMs: 1000,
    clock: realClock,
    logger: silentLogger,
  });

  before(async () => {
    server = await startTestServer();
    rootDir = mkdtempSync(join(tmpdir(), 'minik8s-agent-'));
    runtime = new FakeRuntime({ clock: realClock, images: ['busybox:1.36'] });
    agent = await startAgent(options());
  });

  after(async () => {
    await agent?.stop();
    await server.stop();
    rmSync(rootDir, { recursive: true, force: true });
  });

  const pods = () => server.client.resource<Pod>(PODS);
  const nodes = () => server.client.resource(NODES);

  it('registers the Node with labels, capacity, addresses, node info and a Ready condition', async () => {
    const node = await nodes().get('node-a');
    assert.deepEqual(node.metadata.labels, {
      'node-role.kubernetes.io/worker': '',
      zone: 'z1',
      'kubernetes.io/hostname': 'node-a',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': node.metadata.labels?.['kubernetes.io/arch'],
    });
    const st = node.status as Record<string, unknown>;
    assert.deepEqual((st['capacity'] as Record<string, string>)['cpu'], '3');
    assert.deepEqual((st['allocatable'] as Record<string, string>)['memory'], '4Gi');
    assert.deepEqual((st['addresses'] as { type: string }[])[0], { type: 'InternalIP', address: '10.1.2.3' });
    assert.deepEqual(st['daemonEndpoints'], { kubeletEndpoint: { Port: 10250 } });
    const info = st['nodeInfo'] as Record<string, string>;
    assert.equal(info['kubeletVersion'], 'v1.32.0-minik8s');
    assert.equal(info['containerRuntimeVersion'], 'fake://1.0.0');
    const ready = (st['conditions'] as NodeCondition[]).find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
  });

  it('keeps labels set through the API across heartbeats and a re-registration', async () => {
    await nodes().patch('node-a', 'merge', { metadata: { labels: { zone: 'edited', team: 'blue' } } });
    await new Promise((r) => setTimeout(r, 700)); // two heartbeats
    await agent?.stop();
    agent = await startAgent(options());
    const labels = (await nodes().get('node-a')).metadata.labels ?? {};
    assert.equal(labels['zone'], 'edited');
    assert.equal(labels['team'], 'blue');
    assert.equal(labels['kubernetes.io/hostname'], 'node-a');
  });

  it('runs a pod bound to the node and reports it Running and Ready', async () => {
    await pods().create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        nodeName: 'node-a',
        containers: [
          { name: 'a', image: 'busybox:1.36' },
          { name: 'b', image: 'busybox:1.36' },
        ],
      },
    });
    const running = await until('pod Running', async () => {
      const p = await pods().get('web', { namespace: 'default' });
      return p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    assert.equal(running.status?.hostIP, '10.1.2.3');
    assert.equal(running.status?.containerStatuses?.length, 2);
    assert.equal(runtime.running(running.metadata.uid ?? '').length, 2);
    const events = await server.client.resource(EVENTS).list({ namespace: 'default' });
    const reasons = events.items.filter((e) => (e['involvedObject'] as { name?: string }).name === 'web').map((e) => e['reason']);
    assert.ok(reasons.includes('Started'), `events: ${reasons.join(',')}`);
    // Status is written only when it changes: resyncs of a steady pod write nothing.
    const rv = (await pods().get('web', { namespace: 'default' })).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await pods().get('web', { namespace: 'default' })).metadata.resourceVersion, rv, 'no write while nothing changes');
  });

  it('restarts a crashed container and counts the restart', async () => {
    const p = await pods().get('web', { namespace: 'default' });
    const c = runtime.running(p.metadata.uid ?? '').find((x) => x.name === 'a');
    assert.ok(c);
    runtime.exit(c.id, 2);
    const after = await until('restart', async () => {
      const cur = await pods().get('web', { namespace: 'default' });
      const s = cur.status?.containerStatuses?.find((x) => x.name === 'a');
      return s?.restartCount === 1 && s.state.running ? s : undefined;
    });
    assert.equal(after.lastState.terminated?.exitCode, 2);
  });

  it('adopts running containers after an agent restart, and removes those of pods deleted meanwhile', async () => {
    await pods().create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'doomed', namespace: 'default' },
      spec: { nodeName: 'node-a', containers: [{ name: 'm', image: 'busybox:1.36' }] },
    });
    const doomed = await until('doomed Running', async () => {
      const p = await pods().get('doomed', { namespace: 'default' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const web = await pods().get('web', { namespace: 'default' });
    const webUid = web.metadata.uid ?? '';
    const idsBefore = runtime
      .running(webUid)
      .map((c) => c.id)
      .sort();
    await agent?.stop();
    agent = undefined;
    // While the agent is down: the pod is force-deleted, and nothing must touch the running containers.
    await pods().delete('doomed', { namespace: 'default', gracePeriodSeconds: 0 });
    const createsBefore = runtime.calls.filter((c) => c.op === 'createContainer' || c.op === 'createSandbox').length;
    agent = await startAgent(options());
    await until('orphan removed', () =>
      Promise.resolve(
        runtime.running(doomed.metadata.uid ?? '').length === 0 && ![...runtime.sandboxes.values()].some((s) => s.pod.uid === doomed.metadata.uid)
          ? true
          : undefined,
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      runtime
        .running(webUid)
        .map((c) => c.id)
        .sort(),
      idsBefore,
      'same containers',
    );
    assert.equal(runtime.calls.filter((c) => c.op === 'createContainer' || c.op === 'createSandbox').length, createsBefore, 'nothing created');
    const s = (await pods().get('web', { namespace: 'default' })).status?.containerStatuses?.find((x) => x.name === 'a');
    assert.equal(s?.restartCount, 1);
  });

  it('deletes gracefully: containers stopped with the grace period, then the pod object is removed', async () => {
    const web = await pods().get('web', { namespace: 'default' });
    await pods().delete('web', { namespace: 'default', gracePeriodSeconds: 5 });
    await until('pod gone', async () => {
      try {
        await pods().get('web', { namespace: 'default' });
        return undefined;
      } catch (e) {
        return isApiError(e) && e.reason === 'NotFound' ? true : undefined;
      }
    });
    const stops = runtime.calls.filter((c) => c.op === 'stopContainer' && c.detail === 'grace=5');
    assert.equal(stops.length, 2);
    assert.equal([...runtime.containers.values()].filter((c) => c.pod.uid === web.metadata.uid).length, 0);
  });
});
