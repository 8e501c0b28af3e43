// The node's pod network, level-triggered: on every Node event and every resync period it converges the
// pod bridge (bridge.ts), the masquerade table (masq.ts) and, with the VXLAN overlay on, the VTEP device, the
// Node's VTEP annotations and every peer's neighbour/FDB/route entries (overlay.ts, from desired.ts). Pod
// sandboxes get their network and address from attach(); an address is released when the pod is gone.

import { writeFile, readFile } from 'node:fs/promises';
import type { KubeObject } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { Client } from '../../client/client.js';
import { SharedInformer } from '../../machinery/informer.js';
import { realClock, type Clock, type TimerHandle } from '../../util/clock.js';
import { consoleLogger, type Logger } from '../../util/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import type { PodBridge } from './bridge.js';
import { desiredOverlay, PUBLIC_IP_ANNOTATION, VTEP_MAC_ANNOTATION } from './desired.js';
import { IpRoute } from './ip.js';
import { FileIpam, gatewayOf } from './ipam.js';
import { Masquerade } from './masq.js';
import { Overlay, podMtu } from './overlay.js';
import { hostInterface, removeUnwired } from './unwired.js';

const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;

/** The fields of a Node the pod network reads. */
interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
}

/** What a pod sync needs: the network and address for a new sandbox, and giving the address back. */
export interface PodNetworkHandle {
  /**
   * The address for a new sandbox and how to wire it: the sandbox starts with no network, then `setUpNetwork`
   * puts a veth into it (ip.ts plumbPod). Throws NetworkNotReady (the sandbox is retried) until the Node has a
   * pod CIDR and the bridge exists.
   */
  attach(uid: string): Promise<{ ip: string; setUpNetwork: (pid: number) => Promise<void> }>;
  release(uid: string): Promise<void>;
}

export class NetworkNotReadyError extends Error {
  readonly reason = 'NetworkNotReady';
}

export interface PodNetworkOptions {
  client: Client;
  nodeName: string;
  nodeIP: string;
  /** Where IPAM records live (the agent's root dir + /network/ipam). */
  ipamDir: string;
  bridge: PodBridge;
  /** 'vxlan' (default) or 'none' (no overlay: a single node, or several agents sharing one namespace). */
  overlay: 'vxlan' | 'none';
  /** Remove the bridge network, the VTEP, the masquerade elements and the IPAM records on stop. */
  cleanupOnStop: boolean;
  /** The cluster's pod range (--cluster-cidr): never masqueraded, like every Node's pod CIDR. */
  clusterCIDR?: string;
  /** To release addresses of pods whose sandboxes are gone (leaked by a crash). */
  runtime?: Runtime;
  ip?: IpRoute;
  masquerade?: Masquerade;
  resyncIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** The Docker network of a node's pods. */
export function podNetworkName(nodeName: string): string {
  return `minik8s-${nodeName}`;
}

/** An allocation with no sandbox for this long is a leak and is released. */
const LEAK_GRACE_MS = 120_000;

export class PodNetwork implements PodNetworkHandle {
  readonly networkName: string;
  private readonly informer: SharedInformer<Node>;
  private readonly ip: IpRoute;
  private readonly overlay: Overlay;
  private readonly masq: Masquerade;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private ipam: FileIpam | undefined;
  private bridgeReady = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: TimerHandle | undefined;
  private waitingLogged = false;
  private mtu: number | undefined;
  /** The Linux bridge of the pod network (Docker names it after the network's ID). */
  private bridgeDevice: string | undefined;

  constructor(private readonly opts: PodNetworkOptions) {
    this.networkName = podNetworkName(opts.nodeName);
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? consoleLogger;
    this.ip = opts.ip ?? new IpRoute();
    this.overlay = new Overlay(this.ip);
    this.masq = opts.masquerade ?? new Masquerade();
    this.informer = new SharedInformer<Node>(opts.client.resource<Node>(NODES).listWatcher(), { clock: this.clock, logger: this.logger, name: 'agent-nodes' });
  }

  /** Starts watching Nodes and converging; resolves once the Node list has arrived. */
  async start(signal?: AbortSignal): Promise<void> {
    this.informer.addHandler(() => this.kick());
    this.informer.start();
    await this.informer.waitForSync(signal);
    // The first convergence before pods are synced, so their sandboxes do not start with "not ready".
    this.kick();
    await this.settled();
  }

  /** Runs a reconcile now, or once more after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.running = this.reconcile()
      .catch((e: unknown) => this.logger.warn('pod network reconcile failed, will retry', { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.timer = this.clock.setTimeout(() => this.kick(), this.opts.resyncIntervalMs ?? 10_000);
      });
  }

  /** Resolves when no reconcile is in progress (tests). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private podCIDR(): string | undefined {
    return this.informer.store.get(this.opts.nodeName)?.spec?.podCIDR;
  }

  async reconcile(): Promise<void> {
    const self = this.informer.store.get(this.opts.nodeName);
    const cidr = self?.spec?.podCIDR;
    if (!cidr) {
      if (!this.waitingLogged) this.logger.info('pod network: waiting for the Node to get a podCIDR', { node: this.opts.nodeName });
      this.waitingLogged = true;
      return;
    }
    if (this.ipam?.cidr !== cidr) {
      this.ipam = new FileIpam(this.opts.ipamDir, cidr);
      this.bridgeReady = false;
    }
    const mtu = await this.podMtu();
    const made = await this.opts.bridge.ensure({ name: this.networkName, cidr, gateway: gatewayOf(cidr), mtu, nodeName: this.opts.nodeName });
    this.bridgeDevice = made.device;
    // Before the first sandbox of this agent process: sandboxes a killed agent started but never wired go.
    if (!this.bridgeReady && this.opts.runtime) {
      const removed = await removeUnwired({ runtime: this.opts.runtime, ip: this.ip, bridge: made.device, nodeName: this.opts.nodeName });
      if (removed.length > 0) this.logger.warn('removed sandboxes that were started but never wired', { sandboxes: removed });
    }
    if (made.created || !this.bridgeReady) this.logger.info('pod network ready', { network: this.networkName, podCIDR: cidr, created: made.created });
    this.bridgeReady = true;
    await enableForwarding();
    const nodes = this.informer.store.list();
    const podCIDRs = nodes.flatMap((n) => (n.spec?.podCIDR ? [n.spec.podCIDR] : []));
    await this.masq.apply(cidr, this.opts.clusterCIDR ? [this.opts.clusterCIDR, ...podCIDRs] : podCIDRs);
    if (this.opts.overlay === 'vxlan') {
      const mac = await this.overlay.ensureDevice(this.opts.nodeIP, cidr, mtu);
      await this.publish(self, mac);
      const changes = await this.overlay.apply(desiredOverlay(this.opts.nodeName, nodes));
      if (changes > 0) this.logger.info('overlay programmed', { changes });
    }
    await this.collectLeaks();
  }

  /** 1450, or less when the interface holding the node IP has a smaller MTU than 1500. */
  private async podMtu(): Promise<number> {
    if (this.mtu === undefined) {
      const dev = await this.ip.deviceWithAddress(this.opts.nodeIP);
      this.mtu = podMtu(dev ? (await this.ip.link(dev))?.mtu : undefined);
    }
    return this.mtu;
  }

  /** Publishes the VTEP MAC and node IP on the Node (a merge patch of two annotations, when they differ). */
  private async publish(self: Node, mac: string): Promise<void> {
    const a = self.metadata.annotations ?? {};
    if (a[VTEP_MAC_ANNOTATION] === mac && a[PUBLIC_IP_ANNOTATION] === this.opts.nodeIP) return;
    await this.opts.client
      .resource<Node>(NODES)
      .patch(this.opts.nodeName, 'merge', { metadata: { annotations: { [VTEP_MAC_ANNOTATION]: mac, [PUBLIC_IP_ANNOTATION]: this.opts.nodeIP } } });
  }

  private async collectLeaks(): Promise<void> {
    if (!this.opts.runtime || !this.ipam) return;
    const live = new Set((await this.opts.runtime.listSandboxes()).map((s) => s.pod.uid));
    const now = this.clock.now();
    for (const a of await this.ipam.allocations()) {
      if (!live.has(a.uid) && now - a.since > LEAK_GRACE_MS) {
        this.logger.info('releasing a leaked pod IP', { ip: a.ip, podUid: a.uid });
        await this.ipam.release(a.uid);
      }
    }
  }

  async attach(uid: string): Promise<{ ip: string; setUpNetwork: (pid: number) => Promise<void> }> {
    // The Node has its CIDR but the bridge is still being made: wait for that pass rather than fail the sandbox.
    if (this.podCIDR() && !this.bridgeReady && !this.stopped) {
      this.kick();
      await this.settled();
    }
    const cidr = this.podCIDR();
    if (!cidr || !this.ipam || this.ipam.cidr !== cidr || !this.bridgeReady) {
      throw new NetworkNotReadyError(
        `network is not ready: ${cidr ? `pod bridge for ${cidr} not set up yet` : `Node ${this.opts.nodeName} has no podCIDR yet`}`,
      );
    }
    const ip = await this.ipam.allocate(uid);
    const bridge = this.bridgeDevice as string;
    const mtu = await this.podMtu();
    const prefixLength = Number(cidr.split('/')[1]);
    return {
      ip,
      setUpNetwork: (pid) => this.ip.plumbPod({ pid, hostIf: hostInterface(ip), bridge, ip, prefixLength, gateway: gatewayOf(cidr), mtu }),
    };
  }

  async release(uid: string): Promise<void> {
    await this.ipam?.release(uid);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    await this.settled();
    await this.informer.stop();
    if (this.opts.cleanupOnStop) await this.cleanup();
  }

  /** Removes what this node made: bridge network, VTEP (and with it routes, neighbours, FDB), nft elements, IPAM. */
  async cleanup(): Promise<void> {
    const cidr = this.ipam?.cidr ?? this.podCIDR();
    const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        this.logger.warn(`cleanup: ${what} failed`, { error: e instanceof Error ? e.message : String(e) });
      }
    };
    await step('removing the pod bridge network', () => this.opts.bridge.remove(this.networkName));
    if (this.opts.overlay === 'vxlan') await step('removing the VXLAN device', () => this.overlay.remove());
    if (cidr) await step('removing the masquerade rules', () => this.masq.cleanup(cidr));
    await step('removing IPAM records', async () => this.ipam?.remove());
    this.logger.info('pod network cleaned up', { node: this.opts.nodeName });
  }
}

/** Pods' traffic is routed through the node: IPv4 forwarding must be on in this namespace. */
async function enableForwarding(): Promise<void> {
  const path = '/proc/sys/net/ipv4/ip_forward';
  try {
    if ((await readFile(path, 'utf8')).trim() !== '1') await writeFile(path, '1\n');
  } catch {
    // Not permitted here: the engine (dockerd enables it) or the operator has to.
  }
}
