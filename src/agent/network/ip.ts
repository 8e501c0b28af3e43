// A small typed wrapper over iproute2 (`ip`, `bridge`) and `nft`: the only place the pod network runs
// commands. Reads use `-j` (JSON) output; writes use the idempotent verbs (`replace`) where iproute2 has them.
// It acts on the network namespace the agent runs in.

import { execFile } from 'node:child_process';

export interface Exec {
  (cmd: string, args: string[], stdin?: string): Promise<string>;
}

/** Runs a command, rejecting with its stderr in the message. */
export const execCommand: Exec = (cmd, args, stdin) =>
  new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });

export interface VxlanInfo {
  name: string;
  mac: string;
  mtu: number;
  up: boolean;
  kind: string;
  vni?: number;
  local?: string;
  port?: number;
  learning?: boolean;
}

export interface NeighEntry {
  ip: string;
  mac: string;
  permanent: boolean;
}

export interface FdbEntry {
  mac: string;
  dst: string;
}

export interface RouteEntry {
  dst: string;
  via: string;
  onlink: boolean;
}

interface LinkJson {
  ifname: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; port?: number; learning?: boolean } };
}

/** Docker's scheme: 02:42 and the four bytes of the IPv4 address. */
export function macForIp(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

function parse<T>(out: string): T[] {
  const t = out.trim();
  return t ? (JSON.parse(t) as T[]) : [];
}

function isMissingDevice(e: unknown): boolean {
  return e instanceof Error && /does not exist|Cannot find device/.test(e.message);
}

/** iproute2 as typed calls. `exec` is injectable so the command lines can be checked without root. */
export class IpRoute {
  constructor(private readonly exec: Exec = execCommand) {}

  /** The link, or undefined when there is none of that name. */
  async link(name: string): Promise<VxlanInfo | undefined> {
    let out: string;
    try {
      out = await this.exec('ip', ['-j', '-d', 'link', 'show', 'dev', name]);
    } catch (e) {
      if (isMissingDevice(e)) return undefined;
      throw e;
    }
    const l = parse<LinkJson>(out)[0];
    if (!l) return undefined;
    const d = l.linkinfo?.info_data;
    const info: VxlanInfo = { name: l.ifname, mac: l.address ?? '', mtu: l.mtu ?? 0, up: (l.flags ?? []).includes('UP'), kind: l.linkinfo?.info_kind ?? '' };
    if (d?.id !== undefined) info.vni = d.id;
    if (d?.local !== undefined) info.local = d.local;
    if (d?.port !== undefined) info.port = d.port;
    if (d?.learning !== undefined) info.learning = d.learning;
    return info;
  }

  /** The interface holding `ip` (the VTEP's underlay device). */
  /** The interfaces attached to a bridge. */
  async bridgePorts(bridge: string): Promise<string[]> {
    try {
      return parse<{ ifname: string }>(await this.exec('ip', ['-j', 'link', 'show', 'master', bridge])).map((l) => l.ifname);
    } catch {
      return []; // no such bridge: nothing is attached
    }
  }

  async deviceWithAddress(ip: string): Promise<string | undefined> {
    const links = parse<{ ifname: string; addr_info?: { local?: string }[] }>(await this.exec('ip', ['-j', '-4', 'addr', 'show']));
    return links.find((l) => (l.addr_info ?? []).some((a) => a.local === ip))?.ifname;
  }

  async addVxlan(o: { name: string; vni: number; local: string; dev: string; port: number; mtu: number }): Promise<void> {
    await this.exec('ip', [
      'link',
      'add',
      o.name,
      'type',
      'vxlan',
      'id',
      String(o.vni),
      'local',
      o.local,
      'dev',
      o.dev,
      'dstport',
      String(o.port),
      'nolearning',
    ]);
    await this.exec('ip', ['link', 'set', 'dev', o.name, 'mtu', String(o.mtu), 'up']);
  }

  async setUp(name: string): Promise<void> {
    await this.exec('ip', ['link', 'set', 'dev', name, 'up']);
  }

  async deleteLink(name: string): Promise<void> {
    try {
      await this.exec('ip', ['link', 'del', 'dev', name]);
    } catch (e) {
      if (!isMissingDevice(e)) throw e;
    }
  }

  /** IPv4 addresses on a device, as `a.b.c.d/len`. */
  async addresses(dev: string): Promise<string[]> {
    const links = parse<{ addr_info?: { family?: string; local?: string; prefixlen?: number }[] }>(
      await this.exec('ip', ['-j', '-4', 'addr', 'show', 'dev', dev]),
    );
    return links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.local).map((a) => `${a.local ?? ''}/${a.prefixlen ?? 32}`));
  }

  async addAddress(dev: string, cidr: string): Promise<void> {
    await this.exec('ip', ['addr', 'replace', cidr, 'dev', dev]);
  }

  async deleteAddress(dev: string, cidr: string): Promise<void> {
    await this.exec('ip', ['addr', 'del', cidr, 'dev', dev]);
  }

  async neighbours(dev: string): Promise<NeighEntry[]> {
    const rows = parse<{ dst: string; lladdr?: string; state?: string[] }>(await this.exec('ip', ['-j', '-4', 'neigh', 'show', 'dev', dev]));
    return rows.filter((r) => r.lladdr).map((r) => ({ ip: r.dst, mac: r.lladdr ?? '', permanent: (r.state ?? []).includes('PERMANENT') }));
  }

  async replaceNeighbour(dev: string, n: { ip: string; mac: string }): Promise<void> {
    await this.exec('ip', ['neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', dev, 'nud', 'permanent']);
  }

  async deleteNeighbour(dev: string, ip: string): Promise<void> {
    await this.exec('ip', ['neigh', 'del', ip, 'dev', dev]);
  }

  async fdb(dev: string): Promise<FdbEntry[]> {
    const rows = parse<{ mac: string; dst?: string }>(await this.exec('bridge', ['-j', 'fdb', 'show', 'dev', dev]));
    return rows.filter((r) => r.dst).map((r) => ({ mac: r.mac, dst: r.dst ?? '' }));
  }

  async replaceFdb(dev: string, f: FdbEntry): Promise<void> {
    await this.exec('bridge', ['fdb', 'replace', f.mac, 'dev', dev, 'dst', f.dst, 'self', 'permanent']);
  }

  async deleteFdb(dev: string, f: FdbEntry): Promise<void> {
    await this.exec('bridge', ['fdb', 'del', f.mac, 'dev', dev, 'dst', f.dst, 'self']);
  }

  async routes(dev: string): Promise<RouteEntry[]> {
    const rows = parse<{ dst: string; gateway?: string; flags?: string[] }>(await this.exec('ip', ['-j', '-4', 'route', 'show', 'dev', dev]));
    return rows.map((r) => ({ dst: r.dst, via: r.gateway ?? '', onlink: (r.flags ?? []).includes('onlink') }));
  }

  async replaceRoute(dev: string, r: RouteEntry): Promise<void> {
    await this.exec('ip', ['route', 'replace', r.dst, 'via', r.via, 'dev', dev, ...(r.onlink ? ['onlink'] : [])]);
  }

  async deleteRoute(dev: string, dst: string): Promise<void> {
    await this.exec('ip', ['route', 'del', dst, 'dev', dev]);
  }

  /**
   * A pod's interface, CNI-bridge style: a veth pair whose host end joins the pod bridge and whose other end is
   * `eth0` in the namespace of process `pid` (the sandbox), with the pod's address and a default route via the
   * bridge's gateway. Two commands: `ip -batch` here, `ip -batch` in the pod's namespace (nsenter). `eth0`'s MAC
   * follows from the address (macForIp), so neighbours that cached it for an earlier pod with the same address
   * (addresses are reused) still reach the new one.
   */
  async plumbPod(o: { pid: number; hostIf: string; bridge: string; ip: string; prefixLength: number; gateway: string; mtu: number }): Promise<void> {
    const host = [
      `link add ${o.hostIf} mtu ${o.mtu} type veth peer name eth0 mtu ${o.mtu} address ${macForIp(o.ip)} netns ${o.pid}`,
      `link set dev ${o.hostIf} master ${o.bridge} up`,
      '',
    ].join('\n');
    try {
      await this.exec('ip', ['-batch', '-'], host);
    } catch (e) {
      // The host end is named after the address: a previous sandbox of this pod whose namespace is not gone yet
      // still holds it. That sandbox is being replaced, so its link goes.
      if (!(e instanceof Error) || !/File exists/.test(e.message)) throw e;
      await this.deleteLink(o.hostIf);
      await this.exec('ip', ['-batch', '-'], host);
    }
    await this.exec(
      'nsenter',
      ['-t', String(o.pid), '-n', 'ip', '-batch', '-'],
      [`addr add ${o.ip}/${o.prefixLength} dev eth0`, 'link set dev eth0 up', 'link set dev lo up', `route add default via ${o.gateway} dev eth0`, ''].join(
        '\n',
      ),
    );
  }
}
