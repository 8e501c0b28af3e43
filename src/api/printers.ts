// Table columns per kind, as kubectl shows them (wide-only columns have priority 1).
// The API server renders Tables with these; mkctl prints the same Tables.

import type { KubeObject } from './meta.js';
import { isObject } from './meta.js';
import { age } from './duration.js';
import { formatSelector, selectorFromSpec } from './selector.js';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean;

export interface Printer {
  columns: Column[];
  row: (o: KubeObject, now: number) => Cell[];
}

type Obj = Record<string, unknown>;

const o = (v: unknown): Obj => (isObject(v) ? v : {});
const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : dflt);
const n = (v: unknown): number => (typeof v === 'number' ? v : 0);

function col(name: string, priority = 0, type: Column['type'] = 'string', format = ''): Column {
  return { name, type, format, description: `${name} of the object`, priority };
}

const NAME = col('Name', 0, 'string', 'name');
const AGE = col('Age');
const ageOf = (obj: KubeObject, now: number): string => age(obj.metadata.creationTimestamp, now);

function podStatus(pod: KubeObject): string {
  const st = o(pod.status);
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  let reason = s(st['reason'], s(st['phase'], 'Pending'));
  const inits = a(st['initContainerStatuses']).map(o);
  for (let i = 0; i < inits.length; i++) {
    const state = o(inits[i]?.['state']);
    const term = o(state['terminated']);
    if (isObject(state['terminated']) && n(term['exitCode']) === 0) continue;
    if (isObject(state['terminated'])) return `Init:${s(term['reason'], `ExitCode:${n(term['exitCode'])}`)}`;
    const waiting = o(state['waiting']);
    if (isObject(state['waiting']) && waiting['reason'] && waiting['reason'] !== 'PodInitializing') return `Init:${s(waiting['reason'])}`;
    return `Init:${i}/${a(o(pod.spec)['initContainers']).length}`;
  }
  for (const cs of a(st['containerStatuses']).map(o)) {
    const state = o(cs['state']);
    if (isObject(state['waiting']) && o(state['waiting'])['reason']) reason = s(o(state['waiting'])['reason']);
    else if (isObject(state['terminated'])) {
      const t = o(state['terminated']);
      reason = s(t['reason'], t['signal'] ? `Signal:${n(t['signal'])}` : `ExitCode:${n(t['exitCode'])}`);
    }
  }
  return reason;
}

function containersImages(spec: unknown): [string, string] {
  const cs = a(o(spec)['containers']).map(o);
  return [cs.map((c) => s(c['name'])).join(','), cs.map((c) => s(c['image'])).join(',')];
}

function selectorString(sel: unknown): string {
  try {
    return formatSelector(selectorFromSpec(o(sel))) || '<none>';
  } catch {
    return '<invalid>';
  }
}

function servicePorts(spec: Obj): string {
  const ports = a(spec['ports']).map(o);
  if (!ports.length) return '<none>';
  return ports.map((p) => `${n(p['port'])}${p['nodePort'] ? `:${n(p['nodePort'])}` : ''}/${s(p['protocol'], 'TCP')}`).join(',');
}

function conditionTrue(status: unknown, type: string): boolean {
  return a(o(status)['conditions']).some((c) => o(c)['type'] === type && o(c)['status'] === 'True');
}

const PRINTERS: Record<string, Printer> = {
  'v1/Pod': {
    columns: [NAME, col('Ready'), col('Status'), col('Restarts'), AGE, col('IP', 1), col('Node', 1), col('Nominated Node', 1), col('Readiness Gates', 1)],
    row: (p, now) => {
      const st = o(p.status);
      const css = a(st['containerStatuses']).map(o);
      const total = a(o(p.spec)['containers']).length;
      const ready = css.filter((c) => c['ready'] === true).length;
      const restarts = css.reduce((sum, c) => sum + n(c['restartCount']), 0);
      return [p.metadata.name ?? '', `${ready}/${total}`, podStatus(p), String(restarts), ageOf(p, now), s(st['podIP'], '<none>'), s(o(p.spec)['nodeName'], '<none>'), s(st['nominatedNodeName'], '<none>'), '<none>'];
    },
  },
  'v1/Service': {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 1)],
    row: (svc, now) => {
      const spec = o(svc.spec);
      const sel = o(spec['selector']);
      const ext = a(o(o(svc.status)['loadBalancer'])['ingress']).map((i) => s(o(i)['ip'], s(o(i)['hostname']))).join(',');
      return [svc.metadata.name ?? '', s(spec['type'], 'ClusterIP'), s(spec['clusterIP'], '<none>'), ext || (spec['type'] === 'LoadBalancer' ? '<pending>' : '<none>'), servicePorts(spec), ageOf(svc, now), Object.entries(sel).map(([k, v]) => `${k}=${s(v)}`).join(',') || '<none>'];
    },
  },
  'v1/Endpoints': {
    columns: [NAME, col('Endpoints'), AGE],
    row: (ep, now) => {
      const eps: string[] = [];
      for (const sub of a(ep['subsets']).map(o)) {
        const ports = a(sub['ports']).map((p) => n(o(p)['port']));
        for (const addr of a(sub['addresses']).map(o)) for (const port of ports.length ? ports : [0]) eps.push(port ? `${s(addr['ip'])}:${port}` : s(addr['ip']));
      }
      const shown = eps.slice(0, 3).join(',') + (eps.length > 3 ? ` + ${eps.length - 3} more...` : '');
      return [ep.metadata.name ?? '', shown || '<none>', ageOf(ep, now)];
    },
  },
  'discovery.k8s.io/v1/EndpointSlice': {
    columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
    row: (es, now) => {
      const ports = a(es['ports']).map((p) => (o(p)['port'] === undefined ? '<unset>' : String(n(o(p)['port']))));
      const ips = a(es['endpoints']).flatMap((e) => a(o(e)['addresses']).map((x) => s(x)));
      const shown = ips.slice(0, 3).join(',') + (ips.length > 3 ? ` + ${ips.length - 3} more...` : '');
      return [es.metadata.name ?? '', s(es['addressType']), ports.join(',') || '<unset>', shown || '<unset>', ageOf(es, now)];
    },
  },
  'v1/Node': {
    columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 1), col('External-IP', 1), col('OS-Image', 1), col('Kernel-Version', 1), col('Container-Runtime', 1)],
    row: (node, now) => {
      const st = o(node.status);
      const ready = a(st['conditions']).map(o).find((c) => c['type'] === 'Ready');
      let status = ready ? (ready['status'] === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
      if (o(node.spec)['unschedulable'] === true) status += ',SchedulingDisabled';
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length));
      const addr = (t: string): string => s(a(st['addresses']).map(o).find((x) => x['type'] === t)?.['address'], '<none>');
      const info = o(st['nodeInfo']);
      return [node.metadata.name ?? '', status, roles.join(',') || '<none>', ageOf(node, now), s(info['kubeletVersion']), addr('InternalIP'), addr('ExternalIP'), s(info['osImage'], '<unknown>'), s(info['kernelVersion'], '<unknown>'), s(info['containerRuntimeVersion'], '<unknown>')];
    },
  },
  'v1/Namespace': {
    columns: [NAME, col('Status'), AGE],
    row: (ns, now) => [ns.metadata.name ?? '', s(o(ns.status)['phase'], 'Active'), ageOf(ns, now)],
  },
  'v1/ConfigMap': {
    columns: [NAME, col('Data'), AGE],
    row: (cm, now) => [cm.metadata.name ?? '', String(Object.keys(o(cm['data'])).length + Object.keys(o(cm['binaryData'])).length), ageOf(cm, now)],
  },
  'v1/Secret': {
    columns: [NAME, col('Type'), col('Data'), AGE],
    row: (sec, now) => [sec.metadata.name ?? '', s(sec['type'], 'Opaque'), String(Object.keys(o(sec['data'])).length), ageOf(sec, now)],
  },
  'v1/Event': {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
    row: (ev, now) => {
      const io = o(ev['involvedObject']);
      const last = s(ev['lastTimestamp'], s(ev['eventTime'], ev.metadata.creationTimestamp ?? ''));
      return [age(last, now), s(ev['type']), s(ev['reason']), `${s(io['kind']).toLowerCase()}/${s(io['name'])}`, s(ev['message'])];
    },
  },
  'apps/v1/Deployment': {
    columns: [NAME, col('Ready'), col('Up-to-date'), col('Available'), AGE, col('Containers', 1), col('Images', 1), col('Selector', 1)],
    row: (d, now) => {
      const st = o(d.status);
      const spec = o(d.spec);
      const [cs, imgs] = containersImages(o(spec['template'])['spec']);
      return [d.metadata.name ?? '', `${n(st['readyReplicas'])}/${n(spec['replicas'])}`, n(st['updatedReplicas']), n(st['availableReplicas']), ageOf(d, now), cs, imgs, selectorString(spec['selector'])];
    },
  },
  'apps/v1/ReplicaSet': {
    columns: [NAME, col('Desired'), col('Current'), col('Ready'), AGE, col('Containers', 1), col('Images', 1), col('Selector', 1)],
    row: (rs, now) => {
      const st = o(rs.status);
      const spec = o(rs.spec);
      const [cs, imgs] = containersImages(o(spec['template'])['spec']);
      return [rs.metadata.name ?? '', n(spec['replicas']), n(st['replicas']), n(st['readyReplicas']), ageOf(rs, now), cs, imgs, selectorString(spec['selector'])];
    },
  },
  'batch/v1/Job': {
    columns: [NAME, col('Status'), col('Completions'), col('Duration'), AGE, col('Containers', 1), col('Images', 1), col('Selector', 1)],
    row: (job, now) => {
      const st = o(job.status);
      const spec = o(job.spec);
      const [cs, imgs] = containersImages(o(spec['template'])['spec']);
      const status = conditionTrue(st, 'Complete') ? 'Complete' : conditionTrue(st, 'Failed') ? 'Failed' : conditionTrue(st, 'Suspended') ? 'Suspended' : 'Running';
      const start = Date.parse(s(st['startTime']));
      const end = st['completionTime'] ? Date.parse(s(st['completionTime'])) : now;
      const duration = Number.isNaN(start) ? '' : age(new Date(start).toISOString(), end);
      const completions = spec['completions'] === undefined ? `${n(st['succeeded'])}/1 of ${n(spec['parallelism'])}` : `${n(st['succeeded'])}/${n(spec['completions'])}`;
      return [job.metadata.name ?? '', status, completions, duration, ageOf(job, now), cs, imgs, selectorString(spec['selector'])];
    },
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    columns: [NAME, col('Reference'), col('Targets'), col('MinPods'), col('MaxPods'), col('Replicas'), AGE],
    row: (h, now) => {
      const spec = o(h.spec);
      const ref = o(spec['scaleTargetRef']);
      const current = a(o(h.status)['currentMetrics']).map(o);
      const targets = a(spec['metrics'])
        .map(o)
        .map((m, i) => {
          const res = o(m['resource']);
          const want = o(res['target']);
          const cur = o(o(current[i]?.['resource'])['current']);
          const curText = cur['averageUtilization'] !== undefined ? `${n(cur['averageUtilization'])}%` : '<unknown>';
          const wantText = want['averageUtilization'] !== undefined ? `${n(want['averageUtilization'])}%` : s(want['averageValue'], '<unset>');
          return `${s(res['name'], 'metric')}: ${curText}/${wantText}`;
        });
      return [h.metadata.name ?? '', `${s(ref['kind'])}/${s(ref['name'])}`, targets.join(', ') || '<none>', n(spec['minReplicas']) || 1, n(spec['maxReplicas']), n(o(h.status)['currentReplicas']), ageOf(h, now)];
    },
  },
  'networking.k8s.io/v1/Ingress': {
    columns: [NAME, col('Class'), col('Hosts'), col('Address'), col('Ports'), AGE],
    row: (ing, now) => {
      const spec = o(ing.spec);
      const hosts = a(spec['rules']).map((r) => s(o(r)['host'], '*'));
      const addr = a(o(o(ing.status)['loadBalancer'])['ingress']).map((i) => s(o(i)['ip'], s(o(i)['hostname']))).join(',');
      return [ing.metadata.name ?? '', s(spec['ingressClassName'], '<none>'), hosts.join(',') || '*', addr, a(spec['tls']).length ? '80, 443' : '80', ageOf(ing, now)];
    },
  },
};

const GENERIC: Printer = { columns: [NAME, AGE], row: (obj, now) => [obj.metadata.name ?? '', ageOf(obj, now)] };

export function printerFor(kindKey: string): Printer {
  return PRINTERS[kindKey] ?? GENERIC;
}
