// Waiting for the lab's nodes through the API: every node registered and Ready, and (when the
// controller manager allocates them) every node's podCIDR, which the host needs a route to.

import { lookupResource, type ResourceType } from '../api/scheme.js';
import type { KubeObject } from '../api/meta.js';
import { Client } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import type { LabPlan } from './plan.js';

const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;

interface NodeObject extends KubeObject {
  spec?: { podCIDR?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

export interface WaitNodesOptions {
  timeoutMs: number;
  /** Wait for spec.podCIDR too (a short grace after Ready: an allocator may be absent). */
  expectPodCIDRs: boolean;
  agentAlive: (i: number) => boolean;
  agentLog: (i: number) => string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with each node's podCIDR (where allocated) once all are Ready. */
export async function waitNodes(kubeconfig: string, plan: LabPlan, opts: WaitNodesOptions): Promise<Map<string, string>> {
  const client = Client.fromConnection(loadKubeconfig({ path: kubeconfig }));
  const want = plan.nodes.map((n) => n.name);
  const end = Date.now() + opts.timeoutMs;
  let cidrDeadline: number | undefined;
  let seen = '';
  try {
    for (;;) {
      plan.nodes.forEach((n, i) => {
        if (!opts.agentAlive(i)) throw new Error(`the agent of ${n.name} exited; last lines of its log:\n${opts.agentLog(i)}`);
      });
      const cidrs = new Map<string, string>();
      const ready = new Set<string>();
      try {
        const list = await client.resource<NodeObject>(NODES).list();
        for (const node of list.items) {
          const name = node.metadata.name ?? '';
          if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(name);
          if (node.spec?.podCIDR) cidrs.set(name, node.spec.podCIDR);
        }
        seen = list.items.map((n) => `${n.metadata.name ?? ''}${ready.has(n.metadata.name ?? '') ? ' Ready' : ''} ${n.spec?.podCIDR ?? ''}`).join(', ');
      } catch (e) {
        seen = `(list failed: ${e instanceof Error ? e.message : String(e)})`;
      }
      if (want.every((n) => ready.has(n))) {
        if (!opts.expectPodCIDRs || want.every((n) => cidrs.has(n))) return cidrs;
        cidrDeadline ??= Date.now() + 10_000;
        if (Date.now() > cidrDeadline) return cidrs;
      }
      if (Date.now() > end) throw new Error(`nodes ${want.join(', ')} not all Ready within ${opts.timeoutMs} ms; seen: ${seen || 'none'}`);
      await sleep(200);
    }
  } finally {
    client.close();
  }
}
