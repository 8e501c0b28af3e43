// The node's pod bridge as a Docker bridge network: the node's pod CIDR, gateway .1 on the bridge, MTU 1450
// (room for the VXLAN header), no masquerade by the engine (masq.ts decides what is masqueraded), and Docker's
// forwarding rules for the bridge. Sandboxes are not attached through the engine (its set-up of a user-defined
// network, embedded DNS included, costs a few hundred milliseconds a sandbox): the agent does IPAM (ipam.ts) and
// plugs a veth into the bridge device itself (ip.ts plumbPod). One network per node, named after it, so several
// agents may share one engine.

import Dockerode from 'dockerode';

export const NETWORK_LABEL = 'io.minik8s.network';

export interface PodBridge {
  /** Creates the network, or keeps it when it already has this subnet (replacing it when not). */
  ensure(o: { name: string; cidr: string; gateway: string; mtu: number; nodeName: string }): Promise<{ id: string; device: string; created: boolean }>;
  /** Removes the network, first disconnecting whatever is still attached. Idempotent. */
  remove(name: string): Promise<void>;
}

/** The Linux bridge Docker makes for a bridge network: `br-` and the first 12 characters of its ID. */
export function bridgeDevice(networkId: string): string {
  return `br-${networkId.slice(0, 12)}`;
}

function statusCode(e: unknown): number | undefined {
  const c = (e as { statusCode?: unknown }).statusCode;
  return typeof c === 'number' ? c : undefined;
}

export class DockerPodBridge implements PodBridge {
  private readonly docker: Dockerode;

  constructor(socketPath: string) {
    this.docker = new Dockerode({ socketPath });
  }

  private async inspect(name: string): Promise<Dockerode.NetworkInspectInfo | undefined> {
    try {
      return await this.docker.getNetwork(name).inspect();
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw e;
    }
  }

  async ensure(o: { name: string; cidr: string; gateway: string; mtu: number; nodeName: string }): Promise<{ id: string; device: string; created: boolean }> {
    const existing = await this.inspect(o.name);
    if (existing) {
      const cfg = existing.IPAM?.Config?.[0];
      if (cfg?.Subnet === o.cidr && existing.Options?.['com.docker.network.driver.mtu'] === String(o.mtu))
        return { id: existing.Id, device: bridgeDevice(existing.Id), created: false };
      await this.remove(o.name);
    }
    const net = await this.docker.createNetwork({
      Name: o.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: o.cidr, Gateway: o.gateway }] },
      Options: {
        'com.docker.network.bridge.enable_ip_masquerade': 'false',
        'com.docker.network.driver.mtu': String(o.mtu),
      },
      Labels: { [NETWORK_LABEL]: 'pods', 'io.minik8s.node.name': o.nodeName },
    });
    return { id: net.id, device: bridgeDevice(net.id), created: true };
  }

  async remove(name: string): Promise<void> {
    const existing = await this.inspect(name);
    if (!existing) return;
    const network = this.docker.getNetwork(name);
    for (const id of Object.keys(existing.Containers ?? {})) {
      await network.disconnect({ Container: id, Force: true }).catch((e: unknown) => {
        if (statusCode(e) !== 404) throw e;
      });
    }
    try {
      await network.remove();
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
    }
  }
}
