// Store backends, chosen by the --store flag: `sqlite` (default: DATA_DIR/state.db),
// `sqlite:///path/to/file.db`, or `etcd://HOST:PORT[,HOST:PORT...]`.

import { join } from 'node:path';
import type { Store } from './store.js';

export const STORE_BACKENDS = {
  sqlite: async (spec: string, dataDir: string): Promise<Store> => {
    const { SqliteStore } = await import('./sqlite.js');
    const path = spec.startsWith('sqlite://') ? spec.slice('sqlite://'.length) : join(dataDir, 'state.db');
    return new SqliteStore(path);
  },
  etcd: async (spec: string): Promise<Store> => {
    const { EtcdStore } = await import('./etcd.js');
    const hosts = spec.slice('etcd://'.length).split(',').filter(Boolean);
    if (!hosts.length) throw new Error(`--store ${spec}: no etcd endpoints`);
    return new EtcdStore({ endpoints: hosts.map((h) => (h.startsWith('http') ? h : `http://${h}`)) });
  },
} as const;

export function openStore(spec: string | undefined, dataDir: string): Promise<Store> {
  const s = spec ?? 'sqlite';
  if (s === 'sqlite' || s.startsWith('sqlite://')) return STORE_BACKENDS.sqlite(s, dataDir);
  if (s.startsWith('etcd://')) return STORE_BACKENDS.etcd(s);
  throw new Error(`--store ${s}: expected sqlite, sqlite:///FILE or etcd://HOST:PORT[,HOST:PORT...]`);
}
