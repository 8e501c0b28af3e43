// A container's environment, resolved the way Kubernetes does it: envFrom sources first (in order), then env
// entries (later ones win); `value` may refer to variables defined before it as $(NAME) ($$ escapes a $);
// valueFrom reads pod fields, resource quantities, ConfigMap keys and Secret keys (Secret data is base64).
// PURE: the ConfigMaps and Secrets the container refers to are fetched by the caller (referencedObjects) and
// passed in; a missing one is an error unless marked optional (CreateContainerConfigError).

import { milliCPU, units } from '../api/quantity.js';
import { containersOf, type ConfigMap, type Container, type Pod, type Secret } from './types.js';

export interface EnvContext {
  pod: Pod;
  podIP: string;
  hostIP: string;
  /** Fetched ConfigMaps by name (value undefined: it does not exist). */
  configMaps: ReadonlyMap<string, ConfigMap | undefined>;
  secrets: ReadonlyMap<string, Secret | undefined>;
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; error: string };

/** Names of the ConfigMaps and Secrets a container's env and envFrom refer to. */
export function referencedObjects(c: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef?.name;
    const s = e.valueFrom?.secretKeyRef?.name;
    if (cm) configMaps.add(cm);
    if (s) secrets.add(s);
  }
  return { configMaps, secrets };
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Replaces $(NAME) with its value when NAME is defined; $$ becomes $; anything else stays as written. */
export function expandVars(s: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '$' || i + 1 >= s.length) {
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '(') {
      const close = s.indexOf(')', i + 2);
      if (close > 0) {
        const name = s.slice(i + 2, close);
        const v = lookup(name);
        if (v !== undefined) {
          out += v;
          i = close;
          continue;
        }
      }
    }
    out += ch;
  }
  return out;
}

function decodeSecret(secret: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}

function configMapData(cm: ConfigMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = v;
  return out;
}

/** metadata.labels['app'] → ['labels', 'app'] */
function bracketKey(path: string, field: 'labels' | 'annotations'): string | undefined {
  const m = new RegExp(`^metadata\\.${field}\\['(.*)'\\]$`).exec(path);
  return m?.[1];
}

export function podField(path: string, ctx: EnvContext): string | { error: string } {
  const { pod } = ctx;
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
  }
  const label = bracketKey(path, 'labels');
  if (label !== undefined) return pod.metadata.labels?.[label] ?? '';
  const annotation = bracketKey(path, 'annotations');
  if (annotation !== undefined) return pod.metadata.annotations?.[annotation] ?? '';
  if (path === 'metadata.labels') return formatMap(pod.metadata.labels);
  if (path === 'metadata.annotations') return formatMap(pod.metadata.annotations);
  return { error: `unsupported fieldRef path "${path}"` };
}

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}="${m?.[k] ?? ''}"`)
    .join('\n');
}

function resourceField(c: Container, ref: { containerName?: string; resource: string; divisor?: string | number }, pod: Pod): string | { error: string } {
  const target = ref.containerName
    ? [...containersOf(pod.spec?.containers), ...containersOf(pod.spec?.initContainers)].find((x) => x.name === ref.containerName)
    : c;
  if (!target) return { error: `resourceFieldRef: no container "${ref.containerName ?? ''}"` };
  const [kind, resource] = ref.resource.split('.') as [string, string | undefined];
  const list = kind === 'limits' ? target.resources?.limits : kind === 'requests' ? target.resources?.requests : undefined;
  if (!resource || (kind !== 'limits' && kind !== 'requests')) return { error: `resourceFieldRef: unsupported resource "${ref.resource}"` };
  const raw = list?.[resource];
  if (resource === 'cpu') {
    const millis = milliCPU(raw ?? 0) ?? 0;
    const divisor = milliCPU(ref.divisor ?? 1) ?? 1000;
    return String(Math.ceil(millis / Math.max(1, divisor)));
  }
  const value = units(raw ?? 0) ?? 0;
  const divisor = units(ref.divisor ?? 1) ?? 1;
  return String(Math.ceil(value / Math.max(1, divisor)));
}

export function resolveEnv(c: Container, ctx: EnvContext): EnvResult {
  const env: Record<string, string> = {};
  const ns = ctx.pod.metadata.namespace ?? 'default';
  for (const f of c.envFrom ?? []) {
    const prefix = f.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (f.configMapRef) {
      const name = f.configMapRef.name ?? '';
      const cm = ctx.configMaps.get(name);
      if (!cm) {
        if (f.configMapRef.optional) continue;
        return { ok: false, error: `configmap "${name}" not found` };
      }
      data = configMapData(cm);
    } else if (f.secretRef) {
      const name = f.secretRef.name ?? '';
      const s = ctx.secrets.get(name);
      if (!s) {
        if (f.secretRef.optional) continue;
        return { ok: false, error: `secret "${name}" not found` };
      }
      data = decodeSecret(s);
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      const key = prefix + k;
      if (ENV_NAME.test(key)) env[key] = v;
    }
  }
  for (const e of c.env ?? []) {
    if (!e.valueFrom) {
      env[e.name] = expandVars(e.value ?? '', (n) => env[n]);
      continue;
    }
    const from = e.valueFrom;
    if (from.fieldRef) {
      const v = podField(from.fieldRef.fieldPath, ctx);
      if (typeof v !== 'string') return { ok: false, error: `env ${e.name}: ${v.error}` };
      env[e.name] = v;
    } else if (from.resourceFieldRef) {
      const v = resourceField(c, from.resourceFieldRef, ctx.pod);
      if (typeof v !== 'string') return { ok: false, error: `env ${e.name}: ${v.error}` };
      env[e.name] = v;
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = ctx.configMaps.get(ref.name ?? '');
      const v = cm ? configMapData(cm)[ref.key] : undefined;
      if (v === undefined) {
        if (ref.optional) continue;
        return { ok: false, error: cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ''}` : `configmap "${ref.name ?? ''}" not found` };
      }
      env[e.name] = v;
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const s = ctx.secrets.get(ref.name ?? '');
      const v = s ? decodeSecret(s)[ref.key] : undefined;
      if (v === undefined) {
        if (ref.optional) continue;
        return { ok: false, error: s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ''}` : `secret "${ref.name ?? ''}" not found` };
      }
      env[e.name] = v;
    }
  }
  return { ok: true, env };
}

/** command and args with $(NAME) references to the container's environment expanded. */
export function expandCommand(list: string[] | undefined, env: Record<string, string>): string[] | undefined {
  return list?.map((s) => expandVars(s, (n) => env[n]));
}
