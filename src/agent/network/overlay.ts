// The VXLAN overlay in flannel's vxlan style: one VTEP device per node (`minik8s.1`, VNI 1, UDP 8472, no
// learning), addressed with the network address of the node's pod CIDR as a /32; peers are programmed
// statically from the Node objects (desired.ts), never learned. Converges from whatever the kernel holds.

import { networkAddress, overlaySteps, type OverlayState } from './desired.js';
import type { IpRoute } from './ip.js';

export const VXLAN_DEVICE = 'minik8s.1';
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472;
/** 1500 on the underlay less the 50 bytes of VXLAN encapsulation; the pod bridge uses the same. */
export const POD_MTU = 1450;

/** PURE: the pod MTU for an underlay MTU: 1450, or less when the underlay cannot carry 1450 plus VXLAN's 50 bytes. */
export function podMtu(underlayMtu: number | undefined): number {
  return underlayMtu && underlayMtu > 0 ? Math.min(POD_MTU, underlayMtu - 50) : POD_MTU;
}

export class Overlay {
  constructor(
    private readonly ip: IpRoute,
    private readonly device = VXLAN_DEVICE,
  ) {}

  /** Makes the VTEP exist with the right parameters and address; returns its MAC. */
  async ensureDevice(nodeIP: string, podCIDR: string, mtu: number): Promise<string> {
    let link = await this.ip.link(this.device);
    if (
      link &&
      (link.kind !== 'vxlan' || link.mtu !== mtu || link.vni !== VXLAN_VNI || link.local !== nodeIP || link.port !== VXLAN_PORT || link.learning !== false)
    ) {
      await this.ip.deleteLink(this.device);
      link = undefined;
    }
    if (!link) {
      const dev = await this.ip.deviceWithAddress(nodeIP);
      if (!dev) throw new Error(`no interface holds the node IP ${nodeIP}: cannot create ${this.device}`);
      await this.ip.addVxlan({ name: this.device, vni: VXLAN_VNI, local: nodeIP, dev, port: VXLAN_PORT, mtu });
      link = await this.ip.link(this.device);
      if (!link) throw new Error(`${this.device} vanished right after it was created`);
    } else if (!link.up) await this.ip.setUp(this.device);
    const want = `${networkAddress(podCIDR)}/32`;
    const have = await this.ip.addresses(this.device);
    for (const a of have) if (a !== want) await this.ip.deleteAddress(this.device, a);
    if (!have.includes(want)) await this.ip.addAddress(this.device, want);
    return link.mac;
  }

  /** Programs neighbours, FDB entries and routes to match `desired`; returns how many changes it made. */
  async apply(desired: OverlayState): Promise<number> {
    const [neighbours, fdb, routes] = await Promise.all([this.ip.neighbours(this.device), this.ip.fdb(this.device), this.ip.routes(this.device)]);
    const steps = overlaySteps(desired, { neighbours, fdb, routes });
    for (const s of steps) {
      switch (s.op) {
        case 'replaceNeighbour':
          await this.ip.replaceNeighbour(this.device, s);
          break;
        case 'deleteNeighbour':
          await this.ip.deleteNeighbour(this.device, s.ip);
          break;
        case 'replaceFdb':
          await this.ip.replaceFdb(this.device, s);
          break;
        case 'deleteFdb':
          await this.ip.deleteFdb(this.device, s);
          break;
        case 'replaceRoute':
          await this.ip.replaceRoute(this.device, s);
          break;
        case 'deleteRoute':
          await this.ip.deleteRoute(this.device, s.dst);
          break;
      }
    }
    return steps.length;
  }

  /** Removes the device; its neighbours, FDB entries and routes go with it. */
  async remove(): Promise<void> {
    await this.ip.deleteLink(this.device);
  }
}
