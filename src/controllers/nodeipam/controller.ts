// The nodeipam controller (kube-controller-manager's "nodeipam" with the range allocator): wiring only.
// Node events enqueue node names; a deleted Node frees its CIDR, so Nodes still waiting for one are enqueued
// again. The decision is sync.ts.

import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { Client } from '../../client/client.js';
import type { Node } from '../api.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { parseCidr } from '../../util/cidr.js';
import { syncNode, type NodeCidrApi, type NodeIpamState } from './sync.js';

const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;

export function clientNodeCidrApi(client: Client): NodeCidrApi {
  const nodes = client.resource<Node>(NODES);
  return {
    setPodCIDR: async (node, cidr) => {
      // The tests make the write conditional: a Node replaced or changed meanwhile fails it, and the sync is retried.
      await nodes.patch(node.metadata.name ?? '', 'json', [
        { op: 'test', path: '/metadata/uid', value: node.metadata.uid },
        { op: 'test', path: '/metadata/resourceVersion', value: node.metadata.resourceVersion },
        { op: 'add', path: '/spec', value: { ...node.spec, podCIDR: cidr, podCIDRs: [cidr] } },
      ]);
    },
  };
}

export function startNodeIpamController(ctx: ControllerContext): RunningController {
  const cluster = parseCidr(ctx.settings.clusterCIDR);
  const maskSize = ctx.settings.nodeCIDRMaskSize;
  if (maskSize < cluster.bits || maskSize > 30)
    throw new Error(`--node-cidr-mask-size ${maskSize}: must be between ${cluster.bits} and 30 for ${ctx.settings.clusterCIDR}`);
  const informer = ctx.informers.informerFor<Node>('nodes');
  const state: NodeIpamState = { pending: new Map() };
  const deps = { nodes: informer.store, api: clientNodeCidrApi(ctx.client), cluster, maskSize, state, recorder: ctx.recorder('cidrAllocator') };
  const loop = startLoop(ctx, { name: 'nodeipam', sync: (name) => syncNode(name, deps), waitFor: [informer] });
  informer.addHandler((e) => {
    loop.enqueue(e.next.metadata.name ?? '');
    if (e.type === 'delete') for (const n of informer.store.list()) if (!n.spec?.podCIDR) loop.enqueue(n.metadata.name ?? '');
  });
  return loop;
}
