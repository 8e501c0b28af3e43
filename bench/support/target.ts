// The API server under test, as every phase sees it.

import type { Client } from '../../src/client/client.js';
import type { RawHttps } from './https.js';

export type Backend = 'sqlite' | 'etcd';

export const BACKEND_NAMES: Record<Backend, string> = { sqlite: 'SQLite', etcd: 'etcd' };

/** One API server, reached over HTTPS with the admin kubeconfig. */
export interface Target {
  backend: Backend;
  client: Client;
  raw: RawHttps;
  /** The API server process, and the store's own process (etcd) when there is one. */
  pids: { apiserver: number; store?: number };
}
