// Cluster IPs and node ports for Services, persisted in the store so that they survive an API server restart and
// are never handed out twice: every allocation is one key, claimed with a create (which fails when the key
// exists), as Kubernetes' IPAddress objects do. The Registry calls this around Service writes: allocate before
// the object is stored, roll back when the write fails, release once the Service is gone.

import type { KubeObject } from '../../api/meta.js';
import { isObject } from '../../api/meta.js';
import { ApiError, errors } from '../../api/errors.js';
import { fe, type FieldError } from '../../api/validation.js';
import { isStoreError, type Store } from '../../storage/store.js';
import { cidrSize, containsIp, formatCidr, intToIp, parseCidr, parseIPv4, type Cidr } from '../../util/cidr.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE = { min: 30000, max: 32767 };
const IP_PREFIX = '/ranges/serviceips/';
const PORT_PREFIX = '/ranges/servicenodeports/';

export interface ServiceAllocatorOptions {
  serviceCidr?: string;
  nodePortRange?: { min: number; max: number };
  random?: () => number;
}

/** What a Service write claimed: undo it if the write fails, or commit (free what the new object dropped). */
export interface Claim {
  rollback(): Promise<void>;
  commit(): Promise<void>;
}

type Obj = Record<string, unknown>;

function specOf(svc: KubeObject): Obj {
  if (!isObject(svc.spec)) svc.spec = {};
  return svc.spec as Obj;
}

function portsOf(spec: Obj): Obj[] {
  return Array.isArray(spec['ports']) ? spec['ports'].filter(isObject) : [];
}

function wantsNodePorts(spec: Obj): boolean {
  return spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer';
}

function wantsClusterIP(spec: Obj): boolean {
  return spec['type'] !== 'ExternalName' && spec['clusterIP'] !== 'None';
}

function ipsOf(svc: KubeObject): string[] {
  const spec = isObject(svc.spec) ? svc.spec : {};
  const ip = spec['clusterIP'];
  return typeof ip === 'string' && ip !== '' && ip !== 'None' ? [ip] : [];
}

function nodePortsOf(svc: KubeObject): number[] {
  const spec = isObject(svc.spec) ? svc.spec : {};
  return [...new Set(portsOf(spec).flatMap((p) => (typeof p['nodePort'] === 'number' ? [p['nodePort']] : [])))];
}

export class ServiceAllocator {
  readonly cidr: Cidr;
  readonly nodePorts: { min: number; max: number };
  private readonly random: () => number;

  constructor(
    private readonly store: Store,
    opts: ServiceAllocatorOptions = {},
  ) {
    this.cidr = parseCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    if (cidrSize(this.cidr) < 8) throw new Error(`--service-cidr ${formatCidr(this.cidr)}: too small`);
    this.nodePorts = opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
    this.random = opts.random ?? Math.random;
  }

  /** The n-th address of the range (1: the `kubernetes` Service, 10: cluster DNS). */
  address(n: number): string {
    return intToIp(this.cidr.base + n);
  }

  /** Claims what a new Service needs (its clusterIP, its node ports), filling them in on `svc`. */
  async create(svc: KubeObject): Promise<Claim> {
    return this.claim(svc, undefined);
  }

  /** A write that omits what the Service already holds keeps it (kubectl replace, apply without the fields). */
  keep(old: KubeObject, next: KubeObject): void {
    keepAllocated(old, next);
  }

  /** Claims what an updated Service newly needs; commit() frees what it no longer holds. */
  async update(old: KubeObject, next: KubeObject): Promise<Claim> {
    keepAllocated(old, next);
    const spec = specOf(next);
    const oldIP = ipsOf(old)[0];
    const ip = spec['clusterIP'];
    if (oldIP !== undefined && wantsClusterIP(spec) && ip !== oldIP) {
      throw this.invalid(next, [fe.invalid('spec.clusterIPs[0]', ip, 'may not change once set')]);
    }
    return this.claim(next, old);
  }

  /**
   * Frees claims whose Service is gone or no longer holds them (a crash between a claim and the Service's write, or
   * between the Service's deletion and the release). Run before the server takes requests. Returns how many went.
   */
  async repair(serviceKey: (namespace: string, name: string) => string): Promise<number> {
    let freed = 0;
    for (const kv of (await this.store.list('/ranges/')).items) {
      let owner: { namespace?: string; name?: string } = {};
      try {
        owner = JSON.parse(kv.value) as { namespace?: string; name?: string };
      } catch {
        // unreadable: nobody can own it
      }
      const svcKv = owner.name ? await this.store.get(serviceKey(owner.namespace ?? 'default', owner.name)) : undefined;
      const svc = svcKv ? (JSON.parse(svcKv.value) as KubeObject) : undefined;
      const held = svc ? [...ipsOf(svc).map((ip) => IP_PREFIX + ip), ...nodePortsOf(svc).map((p) => PORT_PREFIX + String(p))] : [];
      if (held.includes(kv.key)) continue;
      await this.store.delete(kv.key, kv.modRevision).catch(() => undefined);
      freed++;
    }
    return freed;
  }

  /** Frees everything a deleted Service held. */
  async release(svc: KubeObject): Promise<void> {
    await this.free(ipsOf(svc), nodePortsOf(svc), svc);
  }

  private async claim(svc: KubeObject, old: KubeObject | undefined): Promise<Claim> {
    const spec = specOf(svc);
    const owner = JSON.stringify({ namespace: svc.metadata.namespace, name: svc.metadata.name });
    const taken: string[] = [];
    const rollback = async (): Promise<void> => {
      for (const key of taken) {
        const kv = await this.store.get(key);
        if (kv) await this.store.delete(key, kv.modRevision).catch(() => undefined);
      }
    };
    const heldIPs = old ? ipsOf(old) : [];
    const heldPorts = old ? nodePortsOf(old) : [];
    try {
      if (!wantsClusterIP(spec)) {
        if (spec['type'] === 'ExternalName') delete spec['clusterIP'];
        delete spec['clusterIPs'];
      } else {
        const want = spec['clusterIP'];
        if (typeof want === 'string' && want !== '') {
          if (!heldIPs.includes(want)) taken.push(await this.claimIP(svc, want, owner));
        } else {
          const key = await this.pickIP(owner);
          taken.push(key);
          spec['clusterIP'] = key.slice(IP_PREFIX.length);
        }
        spec['clusterIPs'] = [spec['clusterIP']];
        spec['ipFamilies'] = ['IPv4'];
        spec['ipFamilyPolicy'] = 'SingleStack';
      }
      if (!wantsNodePorts(spec)) {
        for (const p of portsOf(spec)) delete p['nodePort'];
      } else {
        const seen = new Set<number>(heldPorts);
        for (const [i, p] of portsOf(spec).entries()) {
          const want = p['nodePort'];
          if (typeof want === 'number') {
            if (seen.has(want)) continue;
            taken.push(await this.claimPort(svc, want, i, owner));
            seen.add(want);
          } else {
            const key = await this.pickPort(owner);
            taken.push(key);
            p['nodePort'] = Number(key.slice(PORT_PREFIX.length));
            seen.add(Number(p['nodePort']));
          }
        }
      }
    } catch (e) {
      await rollback();
      throw e;
    }
    return {
      rollback,
      commit: async () => {
        if (!old) return;
        const keepIPs = ipsOf(svc);
        const keepPorts = nodePortsOf(svc);
        await this.free(
          heldIPs.filter((ip) => !keepIPs.includes(ip)),
          heldPorts.filter((p) => !keepPorts.includes(p)),
          svc,
        );
      },
    };
  }

  private async free(ips: string[], ports: number[], svc: KubeObject): Promise<void> {
    const keys = [...ips.map((ip) => IP_PREFIX + ip), ...ports.map((p) => PORT_PREFIX + String(p))];
    const mine = JSON.stringify({ namespace: svc.metadata.namespace, name: svc.metadata.name });
    for (const key of keys) {
      const kv = await this.store.get(key);
      // Never free what another Service holds (an allocation is released only by its owner).
      if (kv && kv.value === mine) await this.store.delete(key, kv.modRevision).catch(() => undefined);
    }
  }

  private async claimIP(svc: KubeObject, ip: string, owner: string): Promise<string> {
    const n = parseIPv4(ip);
    const field = 'spec.clusterIPs';
    if (n === undefined) throw this.invalid(svc, [fe.invalid(field, [ip], 'must be a valid IP address')]);
    if (!containsIp(this.cidr, n) || n === this.cidr.base || n === this.cidr.base + cidrSize(this.cidr) - 1) {
      const why = `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCidr(this.cidr)}`;
      throw this.invalid(svc, [fe.invalid(field, [ip], why)]);
    }
    if (!(await this.tryCreate(IP_PREFIX + ip, owner))) {
      throw this.invalid(svc, [fe.invalid(field, [ip], `failed to allocate IP ${ip}: provided IP is already allocated`)]);
    }
    return IP_PREFIX + ip;
  }

  private async claimPort(svc: KubeObject, port: number, i: number, owner: string): Promise<string> {
    const field = `spec.ports[${i}].nodePort`;
    const { min, max } = this.nodePorts;
    if (!Number.isInteger(port) || port < min || port > max) {
      throw this.invalid(svc, [fe.invalid(field, port, `provided port is not in the valid range. The range of valid ports is ${min}-${max}`)]);
    }
    if (!(await this.tryCreate(PORT_PREFIX + String(port), owner))) throw this.invalid(svc, [fe.invalid(field, port, 'provided port is already allocated')]);
    return PORT_PREFIX + String(port);
  }

  /**
   * A free address from the upper band of the range. As in Kubernetes, the lower band (16 to 256 addresses) is
   * left for addresses users choose (10.96.0.10 for DNS, say) unless the upper band is full.
   */
  private async pickIP(owner: string): Promise<string> {
    const size = cidrSize(this.cidr);
    const band = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    const first = size > band * 2 ? band : 1;
    const key = await this.pick(IP_PREFIX, owner, { first, last: size - 2, name: (n) => intToIp(this.cidr.base + n) });
    if (key) return key;
    const low = await this.pick(IP_PREFIX, owner, { first: 1, last: size - 2, name: (n) => intToIp(this.cidr.base + n) });
    if (low) return low;
    throw new ApiError('InternalError', `Internal error occurred: failed to allocate a serviceIP: range is full`);
  }

  private async pickPort(owner: string): Promise<string> {
    const key = await this.pick(PORT_PREFIX, owner, { first: this.nodePorts.min, last: this.nodePorts.max, name: String });
    if (key) return key;
    throw new ApiError('InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
  }

  /** Random probes first (cheap while the range is sparse), then a scan from a random start. */
  private async pick(prefix: string, owner: string, r: { first: number; last: number; name: (n: number) => string }): Promise<string | undefined> {
    const count = r.last - r.first + 1;
    if (count <= 0) return undefined;
    for (let i = 0; i < 8; i++) {
      const key = prefix + r.name(r.first + Math.floor(this.random() * count));
      if (await this.tryCreate(key, owner)) return key;
    }
    const used = new Set((await this.store.list(prefix)).items.map((kv) => kv.key));
    const start = Math.floor(this.random() * count);
    for (let i = 0; i < count; i++) {
      const key = prefix + r.name(r.first + ((start + i) % count));
      if (!used.has(key) && (await this.tryCreate(key, owner))) return key;
    }
    return undefined;
  }

  private async tryCreate(key: string, owner: string): Promise<boolean> {
    try {
      await this.store.create(key, owner);
      return true;
    } catch (e) {
      if (isStoreError(e, 'KeyExists')) return false;
      throw e;
    }
  }

  private invalid(svc: KubeObject, errs: FieldError[]): ApiError {
    return errors.invalid('Service', '', svc.metadata.name ?? '', errs);
  }
}

/** A write that omits what the Service already holds keeps it (kubectl replace, apply without the fields). */
function keepAllocated(old: KubeObject, next: KubeObject): void {
  const o = isObject(old.spec) ? old.spec : {};
  const n = specOf(next);
  if ((n['clusterIP'] === undefined || n['clusterIP'] === '') && typeof o['clusterIP'] === 'string' && wantsClusterIP(n)) n['clusterIP'] = o['clusterIP'];
  if (!wantsNodePorts(n)) return;
  const oldPorts = portsOf(o);
  for (const p of portsOf(n)) {
    if (p['nodePort'] !== undefined) continue;
    const match = oldPorts.find((q) => q['port'] === p['port'] && (q['protocol'] ?? 'TCP') === (p['protocol'] ?? 'TCP'));
    if (match && typeof match['nodePort'] === 'number') p['nodePort'] = match['nodePort'];
  }
}
