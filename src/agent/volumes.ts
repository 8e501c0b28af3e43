// Pod volumes on the node's disk, under the agent's root dir:
//
//   ROOT/pods/<pod uid>/volumes/empty-dir/<volume>     emptyDir (medium Memory is a plain directory too)
//   ROOT/pods/<pod uid>/volumes/configmap/<volume>/    one file per key (or per `items` entry)
//   ROOT/pods/<pod uid>/volumes/secret/<volume>/       one file per key, base64-decoded
//   hostPath                                           the host path itself
//
// Every container of the pod bind-mounts the same host directory, which is what makes a volume shared.
// ConfigMap and Secret files are (re)written whenever the pod's containers are started, so a container
// restarted after the object changed sees the new data. The pod's directory goes when the pod is torn down.

import { chmod, mkdir, readdir, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { Mount } from './runtime/runtime.js';
import type { ConfigMap, Container, Pod, Secret, Volume } from './types.js';

export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

export type VolumeResult = { ok: true; paths: Map<string, { hostPath: string; readOnly: boolean }> } | { ok: false; error: string };

function safeRelative(p: string): boolean {
  if (p === '' || isAbsolute(p)) return false;
  const n = normalize(p);
  return n !== '..' && !n.startsWith(`..${sep}`) && !n.split(sep).includes('..');
}

export class VolumeManager {
  constructor(readonly rootDir: string) {}

  podDir(uid: string): string {
    return join(this.rootDir, 'pods', uid);
  }

  /** Makes every volume of the pod present on disk; returns volume name → host path. */
  async setup(pod: Pod, sources: VolumeSources): Promise<VolumeResult> {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    const base = join(this.podDir(uid), 'volumes');
    const paths = new Map<string, { hostPath: string; readOnly: boolean }>();
    for (const v of pod.spec?.volumes ?? []) {
      const r = await this.setupOne(v, base, ns, sources);
      if (typeof r === 'string') return { ok: false, error: `volume "${v.name}": ${r}` };
      if (r) paths.set(v.name, r);
    }
    return { ok: true, paths };
  }

  private async setupOne(v: Volume, base: string, ns: string, sources: VolumeSources): Promise<{ hostPath: string; readOnly: boolean } | string | undefined> {
    if (v.hostPath) {
      const p = v.hostPath.path;
      if (!isAbsolute(p)) return `hostPath ${p} is not absolute`;
      const type = v.hostPath.type ?? '';
      if (type === 'DirectoryOrCreate') await mkdir(p, { recursive: true, mode: 0o755 });
      else if (type === 'FileOrCreate') {
        await mkdir(dirname(p), { recursive: true });
        await (await open(p, 'a', 0o644)).close();
      } else if (type !== '') {
        const st = await stat(p).catch(() => undefined);
        if (!st) return `hostPath type check failed: ${p} does not exist`;
        if (type === 'Directory' && !st.isDirectory()) return `hostPath type check failed: ${p} is not a directory`;
        if (type === 'File' && !st.isFile()) return `hostPath type check failed: ${p} is not a file`;
        if (type === 'Socket' && !st.isSocket()) return `hostPath type check failed: ${p} is not a socket`;
      }
      return { hostPath: p, readOnly: false };
    }
    if (v.configMap) {
      const name = v.configMap.name ?? '';
      const cm = await sources.configMap(ns, name);
      if (!cm && !v.configMap.optional) return `configmap "${name}" not found`;
      const data: Record<string, string | Buffer> = {};
      for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, 'base64');
      for (const [k, s] of Object.entries(cm?.data ?? {})) data[k] = s;
      const dir = join(base, 'configmap', v.name);
      const err = await this.writeFiles(dir, data, v.configMap.items, v.configMap.defaultMode ?? 0o644, v.configMap.optional === true);
      return err ?? { hostPath: dir, readOnly: true };
    }
    if (v.secret) {
      const name = v.secret.secretName ?? '';
      const s = await sources.secret(ns, name);
      if (!s && !v.secret.optional) return `secret "${name}" not found`;
      const data: Record<string, string | Buffer> = {};
      for (const [k, b] of Object.entries(s?.data ?? {})) data[k] = Buffer.from(b, 'base64');
      for (const [k, t] of Object.entries(s?.stringData ?? {})) data[k] = t;
      const dir = join(base, 'secret', v.name);
      const err = await this.writeFiles(dir, data, v.secret.items, v.secret.defaultMode ?? 0o644, v.secret.optional === true);
      return err ?? { hostPath: dir, readOnly: true };
    }
    // emptyDir (also what a volume without a source defaults to). Other sources are refused, not faked.
    const other = Object.keys(v).filter((k) => k !== 'name' && k !== 'emptyDir');
    if (other.length) return `unsupported volume source ${other.join(', ')} (supported: emptyDir, hostPath, configMap, secret)`;
    const dir = join(base, 'empty-dir', v.name);
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o777);
    return { hostPath: dir, readOnly: false };
  }

  /** Writes `data` (or the selected `items`) as files in `dir`, removing files that are no longer there. */
  private async writeFiles(
    dir: string,
    data: Record<string, string | Buffer>,
    items: { key: string; path: string; mode?: number }[] | undefined,
    defaultMode: number,
    optional: boolean,
  ): Promise<string | undefined> {
    const files = new Map<string, { content: string | Buffer; mode: number }>();
    if (items && items.length) {
      for (const it of items) {
        const content = data[it.key];
        if (content === undefined) {
          if (optional) continue;
          return `key "${it.key}" not found`;
        }
        if (!safeRelative(it.path)) return `item path "${it.path}" must be relative and must not contain '..'`;
        files.set(normalize(it.path), { content, mode: it.mode ?? defaultMode });
      }
    } else {
      for (const [k, content] of Object.entries(data)) if (safeRelative(k)) files.set(k, { content, mode: defaultMode });
    }
    await mkdir(dir, { recursive: true });
    for (const [rel, f] of files) {
      const target = join(dir, rel);
      await mkdir(dirname(target), { recursive: true });
      const tmp = `${target}.tmp-${process.pid}`;
      await writeFile(tmp, f.content, { mode: f.mode });
      await chmod(tmp, f.mode);
      await rename(tmp, target);
    }
    await pruneExcept(dir, '', new Set(files.keys()));
    return undefined;
  }

  /** Bind mounts for a container: its volumeMounts resolved against the pod's volume paths. */
  mountsFor(c: Container, paths: ReadonlyMap<string, { hostPath: string; readOnly: boolean }>): Mount[] | string {
    const mounts: Mount[] = [];
    for (const vm of c.volumeMounts ?? []) {
      const v = paths.get(vm.name);
      if (!v) return `volumeMount "${vm.name}" refers to no volume of the pod`;
      let hostPath = v.hostPath;
      if (vm.subPath) {
        if (!safeRelative(vm.subPath)) return `subPath "${vm.subPath}" must be relative and must not contain '..'`;
        hostPath = join(hostPath, vm.subPath);
      }
      mounts.push({ hostPath, containerPath: vm.mountPath, readOnly: vm.readOnly === true || v.readOnly });
    }
    return mounts;
  }

  /** Creates the subPath directories a container's mounts need (a bind mount needs its source to exist). */
  async prepareMounts(mounts: Mount[]): Promise<void> {
    for (const m of mounts) {
      const st = await stat(m.hostPath).catch(() => undefined);
      if (!st) await mkdir(m.hostPath, { recursive: true, mode: 0o777 });
    }
  }

  /** Removes everything the agent wrote for a pod. Idempotent. */
  async cleanup(uid: string): Promise<void> {
    if (!uid || uid.includes('/') || uid.includes('..')) return;
    await rm(this.podDir(uid), { recursive: true, force: true });
  }

  /** Pod UIDs that have a directory under the root (for cleaning up after pods the API forgot). */
  async podDirs(): Promise<string[]> {
    return readdir(join(this.rootDir, 'pods')).catch(() => []);
  }
}

async function pruneExcept(dir: string, rel: string, keep: Set<string>): Promise<void> {
  const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const r = rel ? join(rel, e.name) : e.name;
    if (e.isDirectory()) {
      if ([...keep].some((k) => k.startsWith(`${r}${sep}`))) await pruneExcept(dir, r, keep);
      else await rm(join(dir, r), { recursive: true, force: true });
    } else if (!keep.has(r)) await rm(join(dir, r), { force: true });
  }
}
