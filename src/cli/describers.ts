// What `mkctl describe` shows per kind, laid out the way kubectl's describe does: `Key:  value` lines
// aligned in blocks, nested sections indented by two spaces, small tables (conditions, ports, events).
// Describers are pure over the object plus related objects the command fetched (a deployment's replica
// sets, a node's pods, a service's endpoints); kinds without one get the generic spec/status rendering.

import { age } from '../api/duration.js';
import type { KubeObject } from '../api/meta.js';
import { isObject } from '../api/meta.js';
import { formatSelector, selectorFromSpec } from '../api/selector.js';
import { LAST_APPLIED } from './applypatch.js';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isObject(v) ? v : {});
const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown, d = ''): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : d);

interface Line {
  indent: number;
  key?: string;
  value?: string;
}

/** Builds describe output; `render()` aligns each run of `Key: value` lines as kubectl's tabwriter does. */
export class Doc {
  private readonly lines: Line[] = [];

  /** `Key:  value`; a multi-line value continues under the value column. */
  kv(key: string, value: string, indent = 0): this {
    const [first = '', ...rest] = value.split('\n');
    this.lines.push({ indent, key, value: first });
    for (const r of rest) this.lines.push({ indent, key: '', value: r });
    return this;
  }

  /** A heading (`Containers:`) or free text, ending any alignment block. */
  text(text: string, indent = 0): this {
    this.lines.push({ indent, key: text });
    return this;
  }

  /** An aligned table with a dashed rule under the header. */
  table(header: string[], rows: string[][], indent = 1): this {
    const all = [header, header.map((h) => '-'.repeat(h.length)), ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)) + 2);
    for (const r of all) this.lines.push({ indent, key: r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('') });
    return this;
  }

  /** Labels, annotations, selectors: one `k=v` per line, `<none>` when empty. */
  map(key: string, m: Record<string, string> | undefined, indent = 0): this {
    const entries = Object.entries(m ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return this.kv(key, entries.length ? entries.map(([k, v]) => `${k}=${v}`).join('\n') : '<none>', indent);
  }

  render(): string {
    let out = '';
    let i = 0;
    while (i < this.lines.length) {
      const line = this.lines[i] as Line;
      if (line.value === undefined) {
        out += `${'  '.repeat(line.indent)}${line.key ?? ''}\n`;
        i++;
        continue;
      }
      let j = i;
      const block: Line[] = [];
      while (j < this.lines.length && (this.lines[j] as Line).value !== undefined) block.push(this.lines[j++] as Line);
      const label = (l: Line): string => `${'  '.repeat(l.indent)}${l.key ? `${l.key}:` : ''}`;
      const width = Math.max(...block.map((l) => label(l).length)) + 2;
      for (const l of block) out += `${`${label(l).padEnd(width)}${l.value ?? ''}`.trimEnd()}\n`;
      i = j;
    }
    return out;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue, 25 Nov 2025 21:29:59 +0000` (RFC 1123 with a numeric zone, in UTC), as kubectl describe prints times. */
export function describeTime(ts: unknown): string {
  const t = typeof ts === 'string' ? new Date(ts) : undefined;
  if (!t || Number.isNaN(t.getTime())) return '<unknown>';
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[t.getUTCDay()] ?? ''}, ${p(t.getUTCDate())} ${MONTHS[t.getUTCMonth()] ?? ''} ${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} +0000`;
}

/** Related objects describe fetched for some kinds. */
export interface Related {
  now: number;
  replicaSets?: KubeObject[];
  pods?: KubeObject[];
  endpoints?: KubeObject;
}

function annotationsShown(obj: KubeObject): Record<string, string> {
  const out = { ...(obj.metadata.annotations ?? {}) };
  delete out[LAST_APPLIED];
  return out;
}

function header(d: Doc, obj: KubeObject, opts: { namespaced: boolean }): void {
  d.kv('Name', obj.metadata.name ?? '');
  if (opts.namespaced) d.kv('Namespace', obj.metadata.namespace ?? '');
}

function metaBlock(d: Doc, obj: KubeObject): void {
  d.map('Labels', obj.metadata.labels);
  d.map('Annotations', annotationsShown(obj));
}

function controlledBy(d: Doc, obj: KubeObject): void {
  const owner = (obj.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (owner) d.kv('Controlled By', `${owner.kind}/${owner.name}`);
}

function conditions(d: Doc, status: unknown, cols: 'pod' | 'full'): void {
  const conds = a(o(status)['conditions']).map(o);
  if (conds.length === 0) return;
  d.text('Conditions:');
  if (cols === 'pod')
    d.table(
      ['Type', 'Status'],
      conds.map((c) => [s(c['type']), s(c['status'])]),
    );
  else
    d.table(
      ['Type', 'Status', 'Reason'],
      conds.map((c) => [s(c['type']), s(c['status']), s(c['reason'], '<none>')]),
    );
}

function selectorText(sel: unknown): string {
  try {
    return formatSelector(selectorFromSpec(o(sel))) || '<none>';
  } catch {
    return '<invalid>';
  }
}

function resources(d: Doc, res: unknown, indent: number): void {
  for (const [title, key] of [
    ['Limits', 'limits'],
    ['Requests', 'requests'],
  ] as const) {
    const m = o(o(res)[key]);
    if (Object.keys(m).length === 0) continue;
    d.text(`${title}:`, indent);
    for (const [k, v] of Object.entries(m)) d.kv(k, s(v), indent + 1);
  }
}

function containerState(d: Doc, label: string, state: unknown, indent: number): void {
  const st = o(state);
  if (isObject(st['running'])) {
    d.kv(label, 'Running', indent);
    d.kv('Started', describeTime(o(st['running'])['startedAt']), indent + 1);
  } else if (isObject(st['waiting'])) {
    d.kv(label, 'Waiting', indent);
    d.kv('Reason', s(o(st['waiting'])['reason']), indent + 1);
  } else if (isObject(st['terminated'])) {
    const t = o(st['terminated']);
    d.kv(label, 'Terminated', indent);
    d.kv('Reason', s(t['reason']), indent + 1);
    d.kv('Exit Code', s(t['exitCode'], '0'), indent + 1);
    if (t['startedAt']) d.kv('Started', describeTime(t['startedAt']), indent + 1);
    if (t['finishedAt']) d.kv('Finished', describeTime(t['finishedAt']), indent + 1);
  } else d.kv(label, 'Waiting', indent);
}

function envValue(e: Obj): string {
  if (e['value'] !== undefined) return s(e['value']);
  const from = o(e['valueFrom']);
  const ref = o(from['configMapKeyRef']);
  if (isObject(from['configMapKeyRef'])) return `<set to the key '${s(ref['key'])}' of config map '${s(ref['name'])}'>`;
  const sec = o(from['secretKeyRef']);
  if (isObject(from['secretKeyRef'])) return `<set to the key '${s(sec['key'])}' in secret '${s(sec['name'])}'>`;
  const field = o(from['fieldRef']);
  if (isObject(from['fieldRef'])) return `(${s(field['apiVersion'], 'v1')}:${s(field['fieldPath'])})`;
  return '';
}

function containers(d: Doc, title: string, list: unknown, statuses: unknown, indent: number): void {
  const cs = a(list).map(o);
  if (cs.length === 0) return;
  const sts = a(statuses).map(o);
  d.text(`${title}:`, indent);
  for (const c of cs) {
    const name = s(c['name']);
    const st = sts.find((x) => x['name'] === name);
    d.text(`${name}:`, indent + 1);
    const i = indent + 2;
    if (st?.['containerID']) d.kv('Container ID', s(st['containerID']), i);
    d.kv('Image', s(c['image']), i);
    if (st?.['imageID']) d.kv('Image ID', s(st['imageID']), i);
    const ports = a(c['ports']).map(o);
    d.kv('Port', ports.length ? ports.map((p) => `${s(p['containerPort'])}/${s(p['protocol'], 'TCP')}`).join(', ') : '<none>', i);
    if (a(c['command']).length)
      d.kv(
        'Command',
        a(c['command'])
          .map((x) => s(x))
          .join('\n'),
        i,
      );
    if (a(c['args']).length)
      d.kv(
        'Args',
        a(c['args'])
          .map((x) => s(x))
          .join('\n'),
        i,
      );
    if (st) {
      containerState(d, 'State', st['state'], i);
      if (isObject(st['lastState']) && Object.keys(st['lastState']).length) containerState(d, 'Last State', st['lastState'], i);
      d.kv('Ready', st['ready'] === true ? 'True' : 'False', i);
      d.kv('Restart Count', s(st['restartCount'], '0'), i);
    }
    resources(d, c['resources'], i);
    const env = a(c['env']).map(o);
    if (env.length) {
      d.text('Environment:', i);
      for (const e of env) d.kv(s(e['name']), envValue(e), i + 1);
    } else d.kv('Environment', '<none>', i);
    const mounts = a(c['volumeMounts']).map(o);
    d.kv(
      'Mounts',
      mounts.length ? mounts.map((m) => `${s(m['mountPath'])} from ${s(m['name'])} (${m['readOnly'] === true ? 'ro' : 'rw'})`).join('\n') : '<none>',
      i,
    );
  }
}

function volumes(d: Doc, list: unknown, indent: number): void {
  const vs = a(list).map(o);
  if (vs.length === 0) {
    d.kv('Volumes', '<none>', indent);
    return;
  }
  d.text('Volumes:', indent);
  for (const v of vs) {
    d.text(`${s(v['name'])}:`, indent + 1);
    const [type = '', src] = Object.entries(v).find(([k]) => k !== 'name') ?? [];
    d.kv('Type', type, indent + 2);
    for (const [k, val] of Object.entries(o(src))) d.kv(k[0]?.toUpperCase() + k.slice(1), typeof val === 'object' ? JSON.stringify(val) : s(val), indent + 2);
  }
}

export function podTemplate(d: Doc, template: unknown): void {
  const t = o(template);
  d.text('Pod Template:');
  d.map('Labels', o(o(t['metadata'])['labels']) as Record<string, string>, 1);
  const spec = o(t['spec']);
  containers(d, 'Init Containers', spec['initContainers'], undefined, 1);
  containers(d, 'Containers', spec['containers'], undefined, 1);
  volumes(d, spec['volumes'], 1);
}

function tolerations(d: Doc, list: unknown): void {
  const ts = a(list).map(o);
  d.kv(
    'Tolerations',
    ts.length
      ? ts
          .map(
            (t) =>
              `${s(t['key'])}${t['operator'] === 'Exists' ? '' : `=${s(t['value'])}`}${t['effect'] ? `:${s(t['effect'])}` : ''}${t['tolerationSeconds'] !== undefined ? ` for ${s(t['tolerationSeconds'])}s` : ''}`,
          )
          .join('\n')
      : '<none>',
  );
}

function describePod(pod: KubeObject): Doc {
  const d = new Doc();
  const spec = o(pod.spec);
  const st = o(pod.status);
  header(d, pod, { namespaced: true });
  if (spec['priority'] !== undefined) d.kv('Priority', s(spec['priority']));
  if (spec['serviceAccountName'] !== undefined) d.kv('Service Account', s(spec['serviceAccountName']));
  d.kv('Node', spec['nodeName'] ? `${s(spec['nodeName'])}${st['hostIP'] ? `/${s(st['hostIP'])}` : ''}` : '<none>');
  if (st['startTime']) d.kv('Start Time', describeTime(st['startTime']));
  metaBlock(d, pod);
  d.kv('Status', pod.metadata.deletionTimestamp ? 'Terminating' : s(st['phase'], 'Pending'));
  if (pod.metadata.deletionTimestamp) d.kv('Termination Grace Period', `${s(pod.metadata.deletionGracePeriodSeconds, '30')}s`);
  d.kv('IP', s(st['podIP']));
  const ips = a(st['podIPs']).map((x) => s(o(x)['ip']));
  if (ips.length) d.text('IPs:').kv('IP', ips.join('\n'), 1);
  else d.kv('IPs', '<none>');
  controlledBy(d, pod);
  containers(d, 'Init Containers', spec['initContainers'], st['initContainerStatuses'], 0);
  containers(d, 'Containers', spec['containers'], st['containerStatuses'], 0);
  conditions(d, st, 'pod');
  volumes(d, spec['volumes'], 0);
  d.kv('QoS Class', s(st['qosClass'], 'BestEffort'));
  d.map('Node-Selectors', o(spec['nodeSelector']) as Record<string, string>);
  tolerations(d, spec['tolerations']);
  return d;
}

function replicaSetLine(rs: KubeObject): string {
  const st = o(rs.status);
  return `${rs.metadata.name ?? ''} (${s(st['replicas'], '0')}/${s(o(rs.spec)['replicas'], '0')} replicas created)`;
}

function describeDeployment(dep: KubeObject, rel: Related): Doc {
  const d = new Doc();
  const spec = o(dep.spec);
  const st = o(dep.status);
  header(d, dep, { namespaced: true });
  d.kv('CreationTimestamp', describeTime(dep.metadata.creationTimestamp));
  metaBlock(d, dep);
  d.kv('Selector', selectorText(spec['selector']));
  d.kv(
    'Replicas',
    `${s(spec['replicas'], '1')} desired | ${s(st['updatedReplicas'], '0')} updated | ${s(st['replicas'], '0')} total | ${s(st['availableReplicas'], '0')} available | ${s(st['unavailableReplicas'], '0')} unavailable`,
  );
  const strategy = o(spec['strategy']);
  d.kv('StrategyType', s(strategy['type'], 'RollingUpdate'));
  d.kv('MinReadySeconds', s(spec['minReadySeconds'], '0'));
  const ru = o(strategy['rollingUpdate']);
  if (s(strategy['type'], 'RollingUpdate') === 'RollingUpdate')
    d.kv('RollingUpdateStrategy', `${s(ru['maxUnavailable'], '25%')} max unavailable, ${s(ru['maxSurge'], '25%')} max surge`);
  podTemplate(d, spec['template']);
  conditions(d, st, 'full');
  const owned = (rel.replicaSets ?? []).filter((rs) => (rs.metadata.ownerReferences ?? []).some((r) => r.uid === dep.metadata.uid));
  const revision = (rs: KubeObject): number => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const newest = [...owned].sort((x, y) => revision(y) - revision(x))[0];
  const old = owned.filter((rs) => rs !== newest && Number(o(rs.spec)['replicas'] ?? 0) > 0);
  d.kv('OldReplicaSets', old.length ? old.map(replicaSetLine).join(', ') : '<none>');
  d.kv('NewReplicaSet', newest ? replicaSetLine(newest) : '<none>');
  return d;
}

function podCounts(pods: KubeObject[] | undefined): string {
  const count = (phase: string): number => (pods ?? []).filter((p) => s(o(p.status)['phase'], 'Pending') === phase).length;
  return `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`;
}

function describeReplicaSet(rs: KubeObject, rel: Related): Doc {
  const d = new Doc();
  const spec = o(rs.spec);
  header(d, rs, { namespaced: true });
  d.kv('Selector', selectorText(spec['selector']));
  metaBlock(d, rs);
  controlledBy(d, rs);
  d.kv('Replicas', `${s(o(rs.status)['replicas'], '0')} current / ${s(spec['replicas'], '1')} desired`);
  d.kv('Pods Status', podCounts(rel.pods));
  podTemplate(d, spec['template']);
  conditions(d, rs.status, 'full');
  return d;
}

function describeJob(job: KubeObject): Doc {
  const d = new Doc();
  const spec = o(job.spec);
  const st = o(job.status);
  header(d, job, { namespaced: true });
  d.kv('Selector', selectorText(spec['selector']));
  metaBlock(d, job);
  controlledBy(d, job);
  d.kv('Parallelism', s(spec['parallelism'], '1'));
  d.kv('Completions', s(spec['completions'], '<unset>'));
  d.kv('Completion Mode', s(spec['completionMode'], 'NonIndexed'));
  if (st['startTime']) d.kv('Start Time', describeTime(st['startTime']));
  if (st['completionTime']) {
    d.kv('Completed At', describeTime(st['completionTime']));
    d.kv('Duration', age(s(st['startTime']), Date.parse(s(st['completionTime']))));
  }
  d.kv('Pods Statuses', `${s(st['active'], '0')} Active / ${s(st['succeeded'], '0')} Succeeded / ${s(st['failed'], '0')} Failed`);
  podTemplate(d, spec['template']);
  return d;
}

function describeService(svc: KubeObject, rel: Related): Doc {
  const d = new Doc();
  const spec = o(svc.spec);
  header(d, svc, { namespaced: true });
  metaBlock(d, svc);
  d.map('Selector', o(spec['selector']) as Record<string, string>);
  d.kv('Type', s(spec['type'], 'ClusterIP'));
  d.kv('IP Family Policy', s(spec['ipFamilyPolicy'], 'SingleStack'));
  d.kv(
    'IP Families',
    a(spec['ipFamilies'])
      .map((x) => s(x))
      .join(',') || 'IPv4',
  );
  d.kv('IP', s(spec['clusterIP'], '<none>'));
  d.kv(
    'IPs',
    a(spec['clusterIPs'])
      .map((x) => s(x))
      .join(',') || s(spec['clusterIP'], '<none>'),
  );
  const eps: string[] = [];
  for (const sub of a(rel.endpoints?.['subsets']).map(o))
    for (const ad of a(sub['addresses']).map(o)) for (const p of a(sub['ports']).map(o)) eps.push(`${s(ad['ip'])}:${s(p['port'])}`);
  for (const p of a(spec['ports']).map(o)) {
    const name = s(p['name'], '<unset>');
    d.kv('Port', `${name}  ${s(p['port'])}/${s(p['protocol'], 'TCP')}`);
    d.kv('TargetPort', `${s(p['targetPort'], s(p['port']))}/${s(p['protocol'], 'TCP')}`);
    if (p['nodePort'] !== undefined) d.kv('NodePort', `${name}  ${s(p['nodePort'])}/${s(p['protocol'], 'TCP')}`);
    d.kv('Endpoints', eps.join(',') || '<none>');
  }
  d.kv('Session Affinity', s(spec['sessionAffinity'], 'None'));
  return d;
}

function describeNode(node: KubeObject, rel: Related): Doc {
  const d = new Doc();
  const spec = o(node.spec);
  const st = o(node.status);
  header(d, node, { namespaced: false });
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  d.kv('Roles', roles.join(',') || '<none>');
  metaBlock(d, node);
  d.kv('CreationTimestamp', describeTime(node.metadata.creationTimestamp));
  const taints = a(spec['taints']).map(o);
  d.kv('Taints', taints.length ? taints.map((t) => `${s(t['key'])}${t['value'] ? `=${s(t['value'])}` : ''}:${s(t['effect'])}`).join('\n') : '<none>');
  d.kv('Unschedulable', spec['unschedulable'] === true ? 'true' : 'false');
  const conds = a(st['conditions']).map(o);
  if (conds.length) {
    d.text('Conditions:');
    d.table(
      ['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message'],
      conds.map((c) => [
        s(c['type']),
        s(c['status']),
        describeTime(c['lastHeartbeatTime']),
        describeTime(c['lastTransitionTime']),
        s(c['reason']),
        s(c['message']),
      ]),
    );
  }
  const addrs = a(st['addresses']).map(o);
  d.text('Addresses:');
  for (const ad of addrs) d.kv(s(ad['type']), s(ad['address']), 1);
  for (const [title, key] of [
    ['Capacity', 'capacity'],
    ['Allocatable', 'allocatable'],
  ] as const) {
    const m = o(st[key]);
    if (Object.keys(m).length === 0) continue;
    d.text(`${title}:`);
    for (const [k, v] of Object.entries(m)) d.kv(k, s(v), 1);
  }
  const info = o(st['nodeInfo']);
  if (Object.keys(info).length) {
    d.text('System Info:');
    for (const [label, key] of [
      ['Machine ID', 'machineID'],
      ['Kernel Version', 'kernelVersion'],
      ['OS Image', 'osImage'],
      ['Operating System', 'operatingSystem'],
      ['Architecture', 'architecture'],
      ['Container Runtime Version', 'containerRuntimeVersion'],
      ['Kubelet Version', 'kubeletVersion'],
    ] as const)
      d.kv(label, s(info[key]), 1);
  }
  d.kv('PodCIDR', s(spec['podCIDR'], '<none>'));
  d.kv(
    'PodCIDRs',
    a(spec['podCIDRs'])
      .map((x) => s(x))
      .join(',') || '<none>',
  );
  const pods = rel.pods ?? [];
  d.text(`Non-terminated Pods:          (${pods.length} in total)`);
  if (pods.length)
    d.table(
      ['Namespace', 'Name', 'Age'],
      pods.map((p) => [p.metadata.namespace ?? '', p.metadata.name ?? '', age(p.metadata.creationTimestamp, rel.now)]),
    );
  return d;
}

function describeNamespace(ns: KubeObject): Doc {
  const d = new Doc();
  header(d, ns, { namespaced: false });
  metaBlock(d, ns);
  d.kv('Status', s(o(ns.status)['phase'], 'Active'));
  d.text('');
  d.text('No resource quota.');
  d.text('');
  d.text('No LimitRange resource.');
  return d;
}

function describeConfigMap(cm: KubeObject): Doc {
  const d = new Doc();
  header(d, cm, { namespaced: true });
  metaBlock(d, cm);
  d.text('');
  d.text('Data');
  d.text('====');
  for (const [k, v] of Object.entries(o(cm['data']))) {
    d.text(`${k}:`);
    d.text('----');
    d.text(s(v));
    d.text('');
  }
  d.text('BinaryData');
  d.text('====');
  for (const [k, v] of Object.entries(o(cm['binaryData']))) d.text(`${k}: ${Buffer.from(s(v), 'base64').length} bytes`);
  d.text('');
  return d;
}

function describeSecret(sec: KubeObject): Doc {
  const d = new Doc();
  header(d, sec, { namespaced: true });
  metaBlock(d, sec);
  d.text('');
  d.kv('Type', s(sec['type'], 'Opaque'));
  d.text('');
  d.text('Data');
  d.text('====');
  for (const [k, v] of Object.entries(o(sec['data']))) d.kv(k, `${Buffer.from(s(v), 'base64').length} bytes`);
  return d;
}

function describeEndpoints(ep: KubeObject): Doc {
  const d = new Doc();
  header(d, ep, { namespaced: true });
  metaBlock(d, ep);
  d.text('Subsets:');
  for (const sub of a(ep['subsets']).map(o)) {
    d.kv(
      'Addresses',
      a(sub['addresses'])
        .map((x) => s(o(x)['ip']))
        .join(',') || '<none>',
      1,
    );
    d.kv(
      'NotReadyAddresses',
      a(sub['notReadyAddresses'])
        .map((x) => s(o(x)['ip']))
        .join(',') || '<none>',
      1,
    );
    d.text('Ports:', 1);
    d.table(
      ['Name', 'Port', 'Protocol'],
      a(sub['ports'])
        .map(o)
        .map((p) => [s(p['name'], '<unset>'), s(p['port']), s(p['protocol'], 'TCP')]),
      2,
    );
  }
  return d;
}

/** `fooBar` → `Foo Bar`, the way kubectl's generic describer titles fields. */
const ACRONYMS = new Set(['api', 'cpu', 'dns', 'id', 'ip', 'ips', 'tls', 'uid', 'url']);

function title(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase().replace(/S$/, 's') : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/** Any value as nested `Key: value` lines (maps indent, lists of maps become numbered-less items). */
function generic(d: Doc, key: string, v: unknown, indent: number): void {
  if (isObject(v)) {
    if (Object.keys(v).length === 0) return;
    d.text(`${title(key)}:`, indent);
    for (const [k, x] of Object.entries(v)) generic(d, k, x, indent + 1);
  } else if (Array.isArray(v)) {
    if (v.length === 0) return;
    if (v.every((x) => !isObject(x) && !Array.isArray(x))) {
      d.kv(title(key), v.map((x) => s(x)).join('\n'), indent);
      return;
    }
    d.text(`${title(key)}:`, indent);
    for (const item of v) {
      if (isObject(item)) for (const [k, x] of Object.entries(item)) generic(d, k, x, indent + 1);
      else d.text(s(item), indent + 1);
    }
  } else d.kv(title(key), s(v), indent);
}

function describeGeneric(obj: KubeObject, namespaced: boolean): Doc {
  const d = new Doc();
  header(d, obj, { namespaced });
  metaBlock(d, obj);
  d.kv('API Version', s(obj.apiVersion));
  d.kv('Kind', s(obj.kind));
  for (const [k, v] of Object.entries(obj)) if (!['apiVersion', 'kind', 'metadata'].includes(k)) generic(d, k, v, 0);
  return d;
}

const DESCRIBERS: Record<string, (obj: KubeObject, rel: Related) => Doc> = {
  'v1/Pod': describePod,
  'v1/Service': describeService,
  'v1/Node': describeNode,
  'v1/Namespace': describeNamespace,
  'v1/ConfigMap': describeConfigMap,
  'v1/Secret': describeSecret,
  'v1/Endpoints': describeEndpoints,
  'apps/v1/Deployment': describeDeployment,
  'apps/v1/ReplicaSet': describeReplicaSet,
  'batch/v1/Job': describeJob,
};

export function describeObject(kindKeyValue: string, obj: KubeObject, opts: Related & { namespaced: boolean }): Doc {
  const fn = DESCRIBERS[kindKeyValue];
  return fn ? fn(obj, opts) : describeGeneric(obj, opts.namespaced);
}

/** The Events section: newest last, `Age` with repeat counts (`2m (x3 over 5m)`). */
export function eventsSection(d: Doc, events: readonly KubeObject[], now: number): void {
  if (events.length === 0) {
    d.kv('Events', '<none>');
    return;
  }
  const when = (e: KubeObject): string => s(e['lastTimestamp'], s(e['eventTime'], e.metadata.creationTimestamp ?? ''));
  const sorted = [...events].sort((x, y) => Date.parse(when(x)) - Date.parse(when(y)));
  d.text('Events:');
  d.table(
    ['Type', 'Reason', 'Age', 'From', 'Message'],
    sorted.map((e) => {
      const count = typeof e['count'] === 'number' ? e['count'] : 1;
      const first = s(e['firstTimestamp'], when(e));
      const ageText = count > 1 ? `${age(when(e), now)} (x${count} over ${age(first, now)})` : age(when(e), now);
      return [s(e['type']), s(e['reason']), ageText, s(o(e['source'])['component'], s(e['reportingComponent'])), s(e['message']).trim()];
    }),
  );
}
