// First-start credentials, as k3s makes them: a CA, a serving certificate signed by it, an
// admin token, a node-join token, and an admin kubeconfig (0600). Later starts reuse them;
// the serving certificate is re-issued (same CA) when the host gains a name or address.
// Certificates come from the system's openssl, so no crypto code of our own is involved.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  caCert: string;
  cert: string;
  key: string;
  adminToken: string;
  nodeToken: string;
}

/** The ClusterIP of the `kubernetes` Service (first address of the default service CIDR). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

function hostIps(): string[] {
  const ips: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) ips.push(i.address.split('%')[0] ?? i.address);
  return ips;
}

function sans(bindAddress: string): string[] {
  const ips = new Set(['127.0.0.1', '::1', KUBERNETES_SERVICE_IP, ...hostIps()]);
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') ips.add(bindAddress);
  const dns = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', hostname()]);
  return [...[...dns].map((d) => `DNS:${d}`), ...[...ips].map((ip) => `IP:${ip}`)].sort();
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function ensureCa(dir: string): void {
  if (existsSync(join(dir, 'ca.crt')) && existsSync(join(dir, 'ca.key'))) return;
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  chmodSync(join(dir, 'ca.key'), 0o600);
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '3650', '-subj', '/CN=minik8s-ca', '-out', 'ca.crt'], dir);
}

function ensureServing(dir: string, wanted: string[]): void {
  const sanFile = join(dir, 'server.sans');
  const have = existsSync(sanFile) ? (readFileSync(sanFile, 'utf8').split('\n').filter(Boolean)) : [];
  if (existsSync(join(dir, 'server.crt')) && wanted.every((s) => have.includes(s))) return;
  const all = [...new Set([...have, ...wanted])].sort();
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${all.join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  if (!existsSync(join(dir, 'server.key'))) {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key'], dir);
    chmodSync(join(dir, 'server.key'), 0o600);
  }
  openssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=kube-apiserver', '-out', 'server.csr'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', 'server.ext', '-out', 'server.crt'], dir);
  writeFileSync(sanFile, all.join('\n') + '\n');
}

/**
 * A self-signed serving certificate (DIR/serving.crt, DIR/serving.key), made once: the node agent's
 * kubelet API. The API server authenticates to it with the node token and does not verify it.
 */
export function ensureSelfSignedCert(dir: string): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dir, 'serving.crt')) || !existsSync(join(dir, 'serving.key'))) {
    const names = [...new Set(['DNS:localhost', `DNS:${hostname()}`, ...['127.0.0.1', '::1', ...hostIps()].map((ip) => `IP:${ip}`)])];
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'serving.key'], dir);
    chmodSync(join(dir, 'serving.key'), 0o600);
    openssl(['req', '-x509', '-new', '-key', 'serving.key', '-sha256', '-days', '3650', '-subj', `/CN=${hostname()}`, '-addext', `subjectAltName=${names.join(',')}`, '-out', 'serving.crt'], dir);
  }
  return { cert: readFileSync(join(dir, 'serving.crt'), 'utf8'), key: readFileSync(join(dir, 'serving.key'), 'utf8') };
}

function ensureToken(path: string, prefix: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = `${prefix}${randomBytes(24).toString('hex')}`;
  writeSecret(path, token + '\n');
  return token;
}

export function kubeconfig(opts: { server: string; caCert: string; token: string; name?: string }): string {
  const name = opts.name ?? 'minik8s';
  const ca = Buffer.from(opts.caCert).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${opts.server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${name}-admin`,
    '  user:',
    `    token: ${opts.token}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}-admin`,
    '    namespace: default',
    `current-context: ${name}`,
    'preferences: {}',
    '',
  ].join('\n');
}

export function ensureCredentials(opts: { dataDir: string; bindAddress: string }): Credentials {
  const tls = join(opts.dataDir, 'tls');
  mkdirSync(tls, { recursive: true, mode: 0o700 });
  ensureCa(tls);
  ensureServing(tls, sans(opts.bindAddress));
  const adminToken = ensureToken(join(opts.dataDir, 'admin-token'), 'mk8s-admin-');
  const nodeToken = ensureToken(join(opts.dataDir, 'node-token'), 'mk8s-node-');
  return {
    caCert: readFileSync(join(tls, 'ca.crt'), 'utf8'),
    cert: readFileSync(join(tls, 'server.crt'), 'utf8'),
    key: readFileSync(join(tls, 'server.key'), 'utf8'),
    adminToken,
    nodeToken,
  };
}

/** Writes DATA_DIR/admin.kubeconfig (0600) for the address the server actually listens on. */
export function writeAdminKubeconfig(opts: { dataDir: string; bindAddress: string; port: number; creds: Credentials }): string {
  const host = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? '127.0.0.1' : opts.bindAddress;
  const path = join(opts.dataDir, 'admin.kubeconfig');
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
  writeSecret(path, kubeconfig({ server, caCert: opts.creds.caCert, token: opts.creds.adminToken }));
  return path;
}
