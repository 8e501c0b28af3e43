// Event recording for components (scheduler, controllers, the node agent): core/v1 Events
// about an object, as `kubectl describe` shows them. A repeat of the same event (same object,
// reason and message) within the aggregation window bumps `count` and `lastTimestamp` on the
// existing Event instead of creating a new one. Recording never throws: events are best effort.

import type { KubeObject } from '../api/meta.js';
import { lookupResource, groupVersion, lookupKind, type ResourceType } from '../api/scheme.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Client } from './client.js';

const EVENTS = lookupResource('', 'v1', 'events') as ResourceType;
const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
  /** Resolves when every event recorded so far has been written (for tests and shutdown). */
  flush(): Promise<void>;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  at: number;
}

export function newEventRecorder(opts: { client: Client; component: string; host?: string; clock: Clock; logger?: Logger }): EventRecorder {
  const events = opts.client.resource(EVENTS);
  const seen = new Map<string, Seen>();
  let chain: Promise<void> = Promise.resolve();

  const write = async (obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> => {
    const now = opts.clock.now();
    const ts = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const ns = obj.metadata.namespace ?? 'default';
    const key = `${obj.metadata.uid ?? ''}/${reason}/${message}`;
    const prev = seen.get(key);
    if (prev && now - prev.at < AGGREGATE_WINDOW_MS) {
      prev.count++;
      prev.at = now;
      await events.patch(prev.name, 'merge', { count: prev.count, lastTimestamp: ts }, { namespace: prev.namespace });
      return;
    }
    const rt = lookupKind(obj.apiVersion ?? '', obj.kind ?? '');
    const involved: Record<string, string> = {
      kind: obj.kind ?? '',
      name: obj.metadata.name ?? '',
      uid: obj.metadata.uid ?? '',
      apiVersion: obj.apiVersion ?? (rt ? groupVersion(rt) : ''),
      resourceVersion: obj.metadata.resourceVersion ?? '',
    };
    if (obj.metadata.namespace) involved['namespace'] = obj.metadata.namespace;
    const name = `${obj.metadata.name ?? 'object'}.${now.toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    await events.create(
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: involved,
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: ts,
        lastTimestamp: ts,
        source: { component: opts.component, ...(opts.host ? { host: opts.host } : {}) },
        reportingComponent: opts.component,
        reportingInstance: opts.host ?? opts.component,
      },
      { namespace: ns },
    );
    seen.set(key, { name, namespace: ns, count: 1, at: now });
    if (seen.size > 5000) seen.delete(seen.keys().next().value as string);
  };

  return {
    event(obj, type, reason, message) {
      chain = chain
        .then(() => write(obj, type, reason, message))
        .catch((e: unknown) => opts.logger?.warn('could not record event', { reason, object: obj.metadata.name, error: e instanceof Error ? e.message : String(e) }));
    },
    flush: () => chain,
  };
}
