// Kubeconfig loading, as kubectl resolves it: an explicit path, then $KUBECONFIG (first
// file), then ~/.kube/config, then the local server's admin kubeconfig.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isObject } from '../api/meta.js';
import { parseSimpleYaml } from './simpleyaml.js';

export interface Connection {
  server: string;
  ca?: string;
  insecureSkipTlsVerify: boolean;
  token?: string;
  cert?: string;
  key?: string;
  namespace: string;
  context: string;
}

export const DEFAULT_ADMIN_KUBECONFIG = '/var/lib/minik8s/admin.kubeconfig';

export function kubeconfigPath(explicit?: string): string {
  if (explicit) return explicit;
  const env = process.env['KUBECONFIG'];
  if (env) {
    const first = env.split(':').find((p) => p !== '' && existsSync(p));
    if (first) return first;
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return home;
  return DEFAULT_ADMIN_KUBECONFIG;
}

type Obj = Record<string, unknown>;

function named(list: unknown, name: string, field: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    if (isObject(item) && item['name'] === name && isObject(item[field])) return item[field];
  }
  return undefined;
}

function fileOrData(section: Obj, fileKey: string, dataKey: string, base: string): string | undefined {
  const data = section[dataKey];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const file = section[fileKey];
  if (typeof file === 'string' && file !== '') return readFileSync(isAbsolute(file) ? file : resolve(base, file), 'utf8');
  return undefined;
}

/**
 * JSON, or the YAML subset kubeconfigs are written in, without loading the `yaml` package: mkctl reads
 * a kubeconfig on every run, and `yaml` takes longer to load than the request takes. Anything beyond
 * the subset goes to `yaml` (loaded then, synchronously).
 */
function parseConfigText(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // a YAML flow mapping: the full parser decides
    }
  }
  const simple = parseSimpleYaml(text);
  if (simple !== undefined) return simple;
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

export function parseKubeconfig(text: string, opts: { path: string; context?: string }): Connection {
  const doc: unknown = parseConfigText(text);
  if (!isObject(doc)) throw new Error(`${opts.path}: not a kubeconfig`);
  const ctxName = opts.context ?? (typeof doc['current-context'] === 'string' ? doc['current-context'] : '');
  const ctx = named(doc['contexts'], ctxName, 'context');
  if (!ctx) throw new Error(`${opts.path}: context "${ctxName}" not found`);
  const clusterName = typeof ctx['cluster'] === 'string' ? ctx['cluster'] : '';
  const cluster = named(doc['clusters'], clusterName, 'cluster');
  if (!cluster || typeof cluster['server'] !== 'string') throw new Error(`${opts.path}: cluster "${clusterName}" not found or has no server`);
  const user = named(doc['users'], typeof ctx['user'] === 'string' ? ctx['user'] : '', 'user') ?? {};
  const base = dirname(opts.path);
  const conn: Connection = {
    server: cluster['server'].replace(/\/+$/, ''),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: typeof ctx['namespace'] === 'string' && ctx['namespace'] !== '' ? ctx['namespace'] : 'default',
    context: ctxName,
  };
  const ca = fileOrData(cluster, 'certificate-authority', 'certificate-authority-data', base);
  if (ca) conn.ca = ca;
  if (typeof user['token'] === 'string') conn.token = user['token'];
  else if (typeof user['tokenFile'] === 'string') conn.token = readFileSync(user['tokenFile'], 'utf8').trim();
  const cert = fileOrData(user, 'client-certificate', 'client-certificate-data', base);
  const key = fileOrData(user, 'client-key', 'client-key-data', base);
  if (cert) conn.cert = cert;
  if (key) conn.key = key;
  return conn;
}

export function loadKubeconfig(opts: { path?: string; context?: string } = {}): Connection {
  const path = kubeconfigPath(opts.path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`no kubeconfig found (tried ${path}); start a cluster with 'npm run up' or pass --kubeconfig`);
  }
  return parseKubeconfig(text, { path, ...(opts.context ? { context: opts.context } : {}) });
}
