// `minik8s images bootstrap`: the images a cluster needs when no registry is reachable, built from
// Debian's busybox-static (a static binary, so the root file system is that one file plus applet
// links) and imported through the Engine API like `docker import`:
//
//   minik8s/pause:1          the pod sandbox: a shell loop that sleeps until SIGTERM, then exits 0
//   busybox:1.36, :latest    a busybox userland for tests and examples (the binary is Debian's 1.35;
//                            the tag is the one manifests commonly name)
//
// Idempotent: an image already present is left alone (unless `force`).

import { execFile } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { DEFAULT_SOCKET_PATH, PAUSE_IMAGE } from './runtime/docker/index.js';
import { drainProgress, localImageId } from './runtime/docker/images.js';

export const BUSYBOX_IMAGE = 'busybox:1.36';
export const BUSYBOX_ALIASES = ['busybox:latest'];

/** Applets tests and examples rely on; the bootstrap fails if the binary lacks one. */
const REQUIRED_APPLETS = [
  'sh',
  'ls',
  'cat',
  'echo',
  'sleep',
  'wget',
  'httpd',
  'nc',
  'ps',
  'env',
  'grep',
  'mkdir',
  'rm',
  'touch',
  'head',
  'tail',
  'date',
  'id',
  'hostname',
  'true',
  'false',
  'kill',
  'sed',
  'awk',
  'seq',
  'tee',
  'yes',
  'dd',
  'expr',
  'test',
  '[',
  'uname',
  'df',
  'du',
  'free',
  'mount',
  'timeout',
  'tr',
  'stty',
];

/** PID 1 of every sandbox: a trap makes the shell exit on SIGTERM (PID 1 ignores signals without a handler). */
export const PAUSE_SCRIPT = "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done";

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Debian's busybox has no printenv applet; this stands in for it. */
const PRINTENV = `#!/bin/sh
[ $# -eq 0 ] && exec env
rc=0
for n in "$@"; do awk -v n="$n" 'BEGIN { if (n in ENVIRON) print ENVIRON[n]; else exit 1 }' || rc=1; done
exit $rc
`;

type Entry = { path: string; mode: number } & ({ type: 'dir' } | { type: 'file'; data: Buffer } | { type: 'symlink'; target: string });

/** One 512-byte ustar header. Paths here are short, so `name` alone holds them. */
function tarHeader(e: Entry): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, at: number, len: number): void => void h.write(s, at, len, 'utf8');
  const octal = (n: number, at: number, len: number): void => put(n.toString(8).padStart(len - 1, '0'), at, len - 1);
  const name = e.type === 'dir' ? `${e.path}/` : e.path;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: path too long: ${name}`);
  put(name, 0, 100);
  octal(e.mode, 100, 8);
  octal(0, 108, 8); // uid
  octal(0, 116, 8); // gid
  octal(e.type === 'file' ? e.data.length : 0, 124, 12);
  octal(1_700_000_000, 136, 12); // mtime: fixed, the contents are what matter
  put(e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2', 156, 1);
  if (e.type === 'symlink') put(e.target, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('root', 265, 32);
  put('root', 297, 32);
  h.fill(' ', 148, 156); // the checksum counts its own field as spaces
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

export function tarArchive(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(tarHeader(e));
    if (e.type === 'file') parts.push(e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(parts);
}

/** A dynamically linked busybox (Debian's `busybox` package) would not run in an empty root. */
async function assertStatic(path: string): Promise<void> {
  const f = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    await f.read(head, 0, 64, 0);
    if (head.toString('latin1', 0, 4) !== '\x7fELF' || head[4] !== 2) throw new Error(`${path}: not a 64-bit ELF binary`);
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    await f.read(ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (ph.readUInt32LE(i * phentsize) === 3) throw new Error(`${path} is dynamically linked: install busybox-static (scripts/docker.sh does)`);
    }
  } finally {
    await f.close();
  }
}

async function rootfs(busyboxPath: string, applets: string[], extra: Entry[]): Promise<Buffer> {
  await assertStatic(busyboxPath);
  const dirs = ['bin', 'etc', 'root', 'home', 'var', 'usr', 'dev', 'proc', 'sys'];
  return tarArchive([
    ...dirs.map((path): Entry => ({ path, type: 'dir', mode: 0o755 })),
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: await readFile(busyboxPath) },
    ...applets.map((a): Entry => ({ path: `bin/${a}`, type: 'symlink', mode: 0o777, target: 'busybox' })),
    { path: 'etc/passwd', type: 'file', mode: 0o644, data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n') },
    { path: 'etc/group', type: 'file', mode: 0o644, data: Buffer.from('root:x:0:\nnobody:x:65534:\n') },
    ...extra,
  ]);
}

async function importImage(docker: Dockerode, tar: Buffer, ref: string, changes: string[]): Promise<void> {
  const colon = ref.lastIndexOf(':');
  const stream = await docker.importImage(Readable.from([tar]), { repo: ref.slice(0, colon), tag: ref.slice(colon + 1), changes });
  await drainProgress(stream);
}

export interface BootstrapOptions {
  socketPath?: string;
  /** Debian's busybox-static installs /bin/busybox. */
  busyboxPath?: string;
  /** Rebuild images that are already present. */
  force?: boolean;
  log?: (line: string) => void;
}

export async function bootstrapImages(opts: BootstrapOptions = {}): Promise<{ built: string[]; present: string[] }> {
  const docker = new Dockerode({ socketPath: opts.socketPath ?? DEFAULT_SOCKET_PATH });
  const busybox = opts.busyboxPath ?? '/bin/busybox';
  const log = opts.log ?? (() => undefined);
  const built: string[] = [];
  const present: string[] = [];
  const missing = async (ref: string): Promise<boolean> => {
    if (!opts.force && (await localImageId(docker, ref)) !== undefined) {
      present.push(ref);
      return false;
    }
    return true;
  };
  const listApplets = async (): Promise<string[]> => {
    const out = (await promisify(execFile)(busybox, ['--list'])).stdout.split('\n').filter((a) => a && a !== 'busybox');
    const lacking = REQUIRED_APPLETS.filter((a) => !out.includes(a));
    if (lacking.length) throw new Error(`${busybox} lacks applets: ${lacking.join(' ')}`);
    return out;
  };

  if (await missing(PAUSE_IMAGE)) {
    log(`building ${PAUSE_IMAGE}`);
    const tar = await rootfs(busybox, ['sh', 'sleep'], []);
    await importImage(docker, tar, PAUSE_IMAGE, [`ENV ${PATH_ENV}`, `ENTRYPOINT ["/bin/sh", "-c", ${JSON.stringify(PAUSE_SCRIPT)}]`]);
    built.push(PAUSE_IMAGE);
  }
  if (await missing(BUSYBOX_IMAGE)) {
    log(`building ${BUSYBOX_IMAGE}`);
    const applets = await listApplets();
    const extra: Entry[] = applets.includes('printenv') ? [] : [{ path: 'bin/printenv', type: 'file', mode: 0o755, data: Buffer.from(PRINTENV) }];
    await importImage(docker, await rootfs(busybox, applets, extra), BUSYBOX_IMAGE, [`ENV ${PATH_ENV}`, 'CMD ["sh"]']);
    built.push(BUSYBOX_IMAGE);
  }
  for (const alias of BUSYBOX_ALIASES) {
    if (!(await missing(alias))) continue;
    const colon = alias.lastIndexOf(':');
    await docker.getImage(BUSYBOX_IMAGE).tag({ repo: alias.slice(0, colon), tag: alias.slice(colon + 1) });
    built.push(alias);
  }
  return { built, present };
}
