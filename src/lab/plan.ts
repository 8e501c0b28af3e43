// The lab's addressing and naming, as pure data: everything `lab up` creates and `lab down`
// removes is named here, from the lab's name and its fabric index K (1..250), so that several
// labs can run at once without sharing a namespace, a link, an address or a pod route.
//
//   fabric subnet   10.200.K.0/24: the host leg is .1, node i is .(10+i)
//   cluster CIDR    a /20 per lab in 10.128.0.0/12 (16 node /24s), so host routes to two labs'
//                   pod subnets never overlap each other nor a single-node cluster's 10.244.0.0/16

import { join } from 'node:path';

export const DEFAULT_LAB_NAME = 'lab';
export const DEFAULT_BASE_DIR = '/var/lib/minik8s/lab';
/** The most nodes one lab's cluster CIDR holds (a /20 of /24s). */
export const MAX_NODES = 16;
export const MAX_INDEX = 250;

export interface NodePlan {
  /** The Node's name in the cluster, e.g. `lab-node1`. */
  name: string;
  /** Its network namespace. */
  netns: string;
  ip: string;
  /** Its engine's data, exec root, socket and logs; its agent's root dir. */
  dir: string;
  dockerHost: string;
  /** The engine's cgroup parent and containerd namespace. */
  cgroupParent: string;
  containerdNamespace: string;
}

export interface LabPlan {
  name: string;
  dir: string;
  index: number;
  fabricNetns: string;
  /** The root namespace's end of the host leg (its peer is `host` on the fabric bridge). */
  hostLink: string;
  subnet: string;
  hostIP: string;
  clusterCIDR: string;
  serverDir: string;
  nodes: NodePlan[];
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/;

/** Lab names become parts of namespace, cgroup and node names: a short DNS label. */
export function validLabName(name: string): boolean {
  return NAME.test(name);
}

export function clusterCIDRFor(index: number): string {
  return `10.${128 + (index >> 4)}.${(index & 15) << 4}.0/20`;
}

/** Where a lab keeps everything it writes (its state file included). */
export function labDir(name: string, baseDir = DEFAULT_BASE_DIR): string {
  return join(baseDir, name);
}

export function planLab(opts: { name: string; nodes: number; index: number; baseDir?: string }): LabPlan {
  const { name, index } = opts;
  if (!validLabName(name)) throw new Error(`lab name "${name}": expected at most 16 lowercase letters, digits and '-'`);
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_NODES) throw new Error(`--nodes ${opts.nodes}: expected 1..${MAX_NODES}`);
  if (!Number.isInteger(index) || index < 1 || index > MAX_INDEX) throw new Error(`fabric index ${index}: expected 1..${MAX_INDEX}`);
  const dir = labDir(name, opts.baseDir);
  const subnet = `10.200.${index}`;
  const nodes: NodePlan[] = [];
  for (let i = 1; i <= opts.nodes; i++) {
    const nodeName = `${name}-node${i}`;
    const nodeDir = join(dir, `node${i}`);
    nodes.push({
      name: nodeName,
      netns: `minik8s-${nodeName}`,
      ip: `${subnet}.${10 + i}`,
      dir: nodeDir,
      dockerHost: `unix://${join(nodeDir, 'docker.sock')}`,
      cgroupParent: `/minik8s-${nodeName}`,
      containerdNamespace: `minik8s-${nodeName}`,
    });
  }
  return {
    name,
    dir,
    index,
    fabricNetns: `minik8s-${name}-fabric`,
    hostLink: `mklab${index}`,
    subnet,
    hostIP: `${subnet}.1`,
    clusterCIDR: clusterCIDRFor(index),
    serverDir: join(dir, 'server'),
    nodes,
  };
}

/** A starting fabric index from the name, so labs started at once rarely try the same one first. */
export function preferredIndex(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (h % MAX_INDEX) + 1;
}
