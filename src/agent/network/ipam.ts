// Pod IP address management on one node, in the style of CNI's host-local plugin: one file per allocated
// address under DIR/<pod CIDR>/, named by the address and holding the pod UID. Creating the file with O_EXCL is
// the allocation, so two allocations never get one address, and the files outlive agent restarts, so a
// restarted agent never hands out an address a running pod holds. The gateway (.1), the network and the
// broadcast address are never given out.

import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { intToIp, ipToInt, parseCidr } from '../../util/cidr.js';

/** The gateway of a pod CIDR: its first address (the bridge's). */
export function gatewayOf(cidr: string): string {
  return intToIp(parseCidr(cidr).base + 1);
}

/** PURE: the first address of `cidr` from .2 up (skipping the broadcast address) not in `used`. */
export function firstFreeIp(cidr: string, used: ReadonlySet<string>): string | undefined {
  const c = parseCidr(cidr);
  const size = 2 ** (32 - c.bits);
  for (let i = 2; i < size - 1; i++) {
    const ip = intToIp(c.base + i);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

export interface Allocation {
  ip: string;
  uid: string;
  /** When the allocation was made (file mtime), ms since the epoch. */
  since: number;
}

export class FileIpam {
  readonly dir: string;

  constructor(
    rootDir: string,
    readonly cidr: string,
  ) {
    parseCidr(cidr);
    this.dir = join(rootDir, cidr.replace('/', '_'));
  }

  async allocations(): Promise<Allocation[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: Allocation[] = [];
    for (const ip of names) {
      try {
        ipToInt(ip);
      } catch {
        continue;
      }
      try {
        const [uid, st] = await Promise.all([readFile(join(this.dir, ip), 'utf8'), stat(join(this.dir, ip))]);
        out.push({ ip, uid: uid.trim(), since: st.mtimeMs });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // released meanwhile
      }
    }
    return out;
  }

  /** The pod's address: the one it already holds, else a new one. Throws when the range is full. */
  async allocate(uid: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    for (;;) {
      const current = await this.allocations();
      const held = current.find((a) => a.uid === uid);
      if (held) return held.ip;
      const ip = firstFreeIp(this.cidr, new Set(current.map((a) => a.ip)));
      if (!ip) throw new Error(`no pod IP left in ${this.cidr} (${current.length} allocated)`);
      try {
        await writeFile(join(this.dir, ip), `${uid}\n`, { flag: 'wx' });
        return ip;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        // Another allocation took it between the listing and the create: look again.
      }
    }
  }

  /** Frees every address the pod holds. Idempotent. */
  async release(uid: string): Promise<void> {
    for (const a of await this.allocations()) if (a.uid === uid) await rm(join(this.dir, a.ip), { force: true });
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
