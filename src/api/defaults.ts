// Defaults the real API server fills in, so printers, controllers and users' habits see
// the same objects (ports[].protocol: TCP, restartPolicy: Always, ...). Applied on create and
// update, after validation of types. Functions mutate the object they are given (a fresh copy).

import { isObject } from './meta.js';

type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isObject(v)) return v;
  const fresh: Obj = {};
  parent[key] = fresh;
  return fresh;
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function eachObj(list: unknown, fn: (o: Obj) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isObject(item)) fn(item);
}

/** As the real API server: every probe gets its timing fields, an httpGet its path and scheme. */
function defaultProbe(p: Obj): void {
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  const http = p['httpGet'];
  if (isObject(http)) {
    setDefault(http, 'path', '/');
    setDefault(http, 'scheme', 'HTTP');
  }
}

export function defaultContainer(c: Obj): void {
  const image = typeof c['image'] === 'string' ? c['image'] : '';
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  setDefault(c, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  eachObj(c['ports'], (p) => setDefault(p, 'protocol', 'TCP'));
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const probe = c[kind];
    if (isObject(probe)) defaultProbe(probe);
  }
  const res = c['resources'];
  if (isObject(res) && isObject(res['limits']) && !isObject(res['requests'])) {
    // Kubernetes copies limits into absent requests.
    res['requests'] = { ...res['limits'] };
  }
}

export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  eachObj(spec['containers'], defaultContainer);
  eachObj(spec['initContainers'], defaultContainer);
  eachObj(spec['volumes'], (v) => {
    const cm = v['configMap'] ?? v['secret'];
    if (isObject(cm)) setDefault(cm, 'defaultMode', 0o644);
  });
}

function defaultTemplate(spec: Obj): void {
  const tmpl = obj(spec, 'template');
  defaultPodSpec(obj(tmpl, 'spec'));
}

/** The taints the node lifecycle controller puts on a node that is not ready or has stopped reporting. */
export const NOT_READY_TAINT_KEY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
/** How long a pod stays on a not-ready/unreachable node (the DefaultTolerationSeconds admission plugin's 300 s). */
export const DEFAULT_NOT_READY_TOLERATION_SECONDS = 300;

/**
 * As the DefaultTolerationSeconds admission plugin: a pod that does not already tolerate the not-ready or the
 * unreachable NoExecute taint gets a toleration for it with tolerationSeconds 300, so taint-based eviction
 * waits five minutes before moving it off a failed node.
 */
function defaultNotReadyTolerations(spec: Obj): void {
  const existing = Array.isArray(spec['tolerations']) ? (spec['tolerations'] as unknown[]) : [];
  const covers = (key: string): boolean =>
    existing.some((t) => isObject(t) && (t['key'] === key || (!t['key'] && t['operator'] === 'Exists')) && (!t['effect'] || t['effect'] === 'NoExecute'));
  const add: Obj[] = [];
  for (const key of [NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY])
    if (!covers(key)) add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_NOT_READY_TOLERATION_SECONDS });
  if (add.length) spec['tolerations'] = [...existing, ...add];
}

/** The labels the API server puts on a Job's pod template (and selects by), as Kubernetes 1.27+ does. */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/**
 * Unless `spec.manualSelector`, a Job selects its pods by its own uid: the template gets `controller-uid` and
 * `job-name` labels (both the `batch.kubernetes.io/` ones and the legacy bare ones) and the selector matches the
 * uid. Set once, on create (the uid is known by then); later updates keep the stored selector.
 */
function defaultJobSelector(o: Obj, spec: Obj): void {
  const meta = isObject(o['metadata']) ? o['metadata'] : {};
  const uid = typeof meta['uid'] === 'string' ? meta['uid'] : '';
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  if (!uid || spec['manualSelector'] === true || isObject(spec['selector'])) return;
  const tmeta = obj(obj(spec, 'template'), 'metadata');
  const labels = obj(tmeta, 'labels');
  labels[JOB_CONTROLLER_UID_LABEL] = uid;
  labels[JOB_NAME_LABEL] = name;
  labels['controller-uid'] = uid;
  labels['job-name'] = name;
  spec['selector'] = { matchLabels: { [JOB_CONTROLLER_UID_LABEL]: uid } };
}

const BY_KIND: Record<string, (o: Obj) => void> = {
  'v1/Pod': (o) => {
    defaultPodSpec(obj(o, 'spec'));
    defaultNotReadyTolerations(obj(o, 'spec'));
  },
  'v1/Service': (o) => {
    const spec = obj(o, 'spec');
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    eachObj(spec['ports'], (p) => {
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p['port']);
    });
  },
  'v1/Namespace': (o) => {
    const status = obj(o, 'status');
    setDefault(status, 'phase', 'Active');
  },
  'v1/Secret': (o) => setDefault(o, 'type', 'Opaque'),
  'apps/v1/ReplicaSet': (o) => {
    const spec = obj(o, 'spec');
    setDefault(spec, 'replicas', 1);
    defaultTemplate(spec);
  },
  'apps/v1/Deployment': (o) => {
    const spec = obj(o, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    const strategy = obj(spec, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy['type'] === 'RollingUpdate') {
      const ru = obj(strategy, 'rollingUpdate');
      setDefault(ru, 'maxSurge', '25%');
      setDefault(ru, 'maxUnavailable', '25%');
    }
    defaultTemplate(spec);
  },
  'batch/v1/Job': (o) => {
    const spec = obj(o, 'spec');
    setDefault(spec, 'parallelism', 1);
    setDefault(spec, 'backoffLimit', 6);
    if (spec['completions'] === undefined && spec['parallelism'] === 1) spec['completions'] = 1;
    setDefault(spec, 'completionMode', 'NonIndexed');
    setDefault(spec, 'suspend', false);
    defaultTemplate(spec);
    defaultJobSelector(o, spec);
  },
  'autoscaling/v2/HorizontalPodAutoscaler': (o) => {
    const spec = obj(o, 'spec');
    setDefault(spec, 'minReplicas', 1);
  },
};

export function applyDefaults(kindKey: string, o: Obj): void {
  BY_KIND[kindKey]?.(o);
}
