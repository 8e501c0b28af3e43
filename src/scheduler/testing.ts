// Fixtures for the scheduler's tests: compact Node and Pod builders with Kubernetes field names.

import type { Node, NodeSelectorTerm, Pod, ResourceList, Taint, Toleration } from './types.js';

export interface NodeFixture {
  cpu?: string;
  memory?: string;
  pods?: string;
  extra?: ResourceList;
  labels?: Record<string, string>;
  ready?: boolean | 'missing';
  unschedulable?: boolean;
  taints?: Taint[];
}

export function makeNode(name: string, f: NodeFixture = {}): Node {
  const ready = f.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, labels: { 'kubernetes.io/hostname': name, ...f.labels } },
    spec: { ...(f.unschedulable ? { unschedulable: true } : {}), ...(f.taints ? { taints: f.taints } : {}) },
    status: {
      allocatable: { cpu: f.cpu ?? '4', memory: f.memory ?? '8Gi', pods: f.pods ?? '110', ...f.extra },
      conditions: ready === 'missing' ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

export interface PodFixture {
  namespace?: string;
  cpu?: string;
  memory?: string;
  requests?: ResourceList;
  initRequests?: ResourceList[];
  containers?: number;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: NodeSelectorTerm[];
  tolerations?: Toleration[];
  phase?: string;
  schedulerName?: string;
}

export function makePod(name: string, f: PodFixture = {}): Pod {
  const requests: ResourceList = { ...(f.cpu ? { cpu: f.cpu } : {}), ...(f.memory ? { memory: f.memory } : {}), ...f.requests };
  const hasRequests = Object.keys(requests).length > 0;
  const containers = Array.from({ length: f.containers ?? 1 }, (_, i) => ({
    name: `c${i}`,
    image: 'busybox',
    ...(hasRequests ? { resources: { requests } } : {}),
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: f.namespace ?? 'default', uid: `uid-pod-${name}` },
    spec: {
      containers,
      ...(f.initRequests ? { initContainers: f.initRequests.map((r, i) => ({ name: `init${i}`, resources: { requests: r } })) } : {}),
      ...(f.nodeName ? { nodeName: f.nodeName } : {}),
      ...(f.nodeSelector ? { nodeSelector: f.nodeSelector } : {}),
      ...(f.affinity ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: f.affinity } } } } : {}),
      ...(f.tolerations ? { tolerations: f.tolerations } : {}),
      ...(f.schedulerName ? { schedulerName: f.schedulerName } : {}),
    },
    status: { phase: f.phase ?? 'Pending' },
  };
}
