import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RESOURCES, kindKey } from '../scheme.js';
import { GROUPS, KIND_TYPES, fieldRefs, lookupType, reachableTypes, typeNames, unknownFields } from './index.js';

const meta = (name: string) => ({
  name,
  namespace: 'default',
  generateName: 'x-',
  uid: 'u',
  resourceVersion: '7',
  generation: 2,
  creationTimestamp: '2024-01-01T00:00:00Z',
  deletionTimestamp: '2024-01-01T00:00:00Z',
  deletionGracePeriodSeconds: 30,
  labels: { app: name, 'example.com/any-key': 'v' },
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u2', controller: true, blockOwnerDeletion: true }],
  finalizers: ['example.com/f'],
  managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
});

const probe = {
  exec: { command: ['true'] },
  httpGet: { path: '/healthz', port: 'http', host: 'h', scheme: 'HTTP', httpHeaders: [{ name: 'X', value: 'y' }] },
  tcpSocket: { port: 80, host: 'h' },
  grpc: { port: 9000, service: 's' },
  initialDelaySeconds: 1,
  periodSeconds: 2,
  timeoutSeconds: 3,
  successThreshold: 1,
  failureThreshold: 4,
  terminationGracePeriodSeconds: 5,
};

const container = {
  name: 'app',
  image: 'nginx:1.27',
  command: ['nginx'],
  args: ['-g', 'daemon off;'],
  workingDir: '/',
  ports: [{ name: 'http', containerPort: 80, hostPort: 8080, hostIP: '0.0.0.0', protocol: 'TCP' }],
  env: [
    { name: 'A', value: 'a' },
    { name: 'B', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'C', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } },
    { name: 'D', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: false } } },
    { name: 'E', valueFrom: { resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } } },
  ],
  envFrom: [{ prefix: 'P_', configMapRef: { name: 'cm', optional: true } }, { secretRef: { name: 's' } }],
  resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.25, 'example.com/gpu': 1 }, claims: [{ name: 'c' }] },
  volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: 'x', subPathExpr: '$(A)', mountPropagation: 'None' }],
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: { postStart: { exec: { command: ['a'] } }, preStop: { httpGet: { port: 80 }, sleep: { seconds: 1 } } },
  imagePullPolicy: 'IfNotPresent',
  securityContext: { runAsUser: 1000, capabilities: { add: ['NET_ADMIN'] } },
  stdin: false,
  stdinOnce: false,
  tty: false,
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};

const podSpec = {
  containers: [container],
  initContainers: [{ ...container, name: 'init', restartPolicy: 'Always' }],
  volumes: [
    { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'cm', configMap: { name: 'cm', items: [{ key: 'k', path: 'p', mode: 0o600 }], defaultMode: 0o644, optional: true } },
    { name: 'sec', secret: { secretName: 's', items: [{ key: 'k', path: 'p' }], defaultMode: 0o400 } },
    { name: 'pvc', persistentVolumeClaim: { claimName: 'claim', readOnly: true } },
    { name: 'nfs', nfs: { server: 'nfs.example.com', path: '/exports' } },
    { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
  ],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }] },
    },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] },
  },
  tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 60 }],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  activeDeadlineSeconds: 600,
  hostNetwork: false,
  dnsPolicy: 'ClusterFirst',
  serviceAccountName: 'default',
  securityContext: { fsGroup: 2000 },
  nodeName: 'node-1',
  schedulerName: 'default-scheduler',
  priority: 0,
  priorityClassName: 'high',
  imagePullSecrets: [{ name: 'regcred' }],
  hostname: 'web',
  subdomain: 'svc',
  enableServiceLinks: true,
};

const template = { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: podSpec };
const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };
const anyStatus = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], anything: { goes: ['here'] } };

/** A valid manifest of every kind, using (nearly) every field the schema describes. */
const MANIFESTS: Record<string, Record<string, unknown>> = {
  'v1/Namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: meta('ns'), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  'v1/Node': {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta('node-1'),
    spec: {
      podCIDR: '10.244.1.0/24',
      podCIDRs: ['10.244.1.0/24'],
      unschedulable: true,
      providerID: 'minik8s://node-1',
      taints: [{ key: 'k', value: 'v', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' }],
    },
    status: { capacity: { cpu: '4' }, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
  },
  'v1/Pod': { apiVersion: 'v1', kind: 'Pod', metadata: meta('web'), spec: podSpec, status: anyStatus },
  'v1/Service': {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('web'),
    spec: {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080, appProtocol: 'http' }],
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
      externalName: 'example.com',
      externalIPs: ['1.2.3.4'],
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Local',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      publishNotReadyAddresses: false,
    },
    status: { loadBalancer: {} },
  },
  'v1/Endpoints': {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta('web'),
    subsets: [
      {
        addresses: [
          {
            ip: '10.244.1.5',
            hostname: 'web-0',
            nodeName: 'node-1',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u', resourceVersion: '3' },
          },
        ],
        notReadyAddresses: [{ ip: '10.244.1.6' }],
        ports: [{ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' }],
      },
    ],
  },
  'v1/ConfigMap': { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm'), data: { 'a.conf': 'x' }, binaryData: { bin: 'AAE=' }, immutable: false },
  'v1/Secret': { apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), type: 'Opaque', data: { k: 'dg==' }, stringData: { p: 'v' }, immutable: true },
  'v1/Event': {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta('web.1'),
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'default', uid: 'u', resourceVersion: '1', fieldPath: 'spec.containers{app}' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/web to node-1',
    source: { component: 'default-scheduler', host: 'node-1' },
    firstTimestamp: '2024-01-01T00:00:00Z',
    lastTimestamp: '2024-01-01T00:00:00Z',
    count: 1,
    type: 'Normal',
    eventTime: '2024-01-01T00:00:00.000000Z',
    series: { count: 2, lastObservedTime: '2024-01-01T00:00:00.000000Z' },
    action: 'Binding',
    related: { kind: 'Node', name: 'node-1' },
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler-1',
  },
  'apps/v1/ReplicaSet': {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta('web-1'),
    spec: { replicas: 2, minReadySeconds: 1, selector, template },
    status: { replicas: 2 },
  },
  'apps/v1/Deployment': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web'),
    spec: {
      replicas: 3,
      selector,
      template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      paused: false,
      progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 1, conditions: [] },
  },
  'batch/v1/Job': {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('pi'),
    spec: {
      parallelism: 2,
      completions: 4,
      backoffLimit: 6,
      activeDeadlineSeconds: 100,
      ttlSecondsAfterFinished: 60,
      completionMode: 'Indexed',
      suspend: false,
      selector,
      manualSelector: true,
      template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } },
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
    },
    status: { succeeded: 1 },
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta('web'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        { type: 'ContainerResource', containerResource: { name: 'memory', container: 'app', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'rps', selector }, target: { type: 'AverageValue', averageValue: 10 } } },
        {
          type: 'Object',
          object: {
            describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' },
            metric: { name: 'hits' },
            target: { type: 'Value', value: '2k' },
          },
        },
        { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: 30 } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    },
    status: { currentReplicas: 1 },
  },
  'discovery.k8s.io/v1/EndpointSlice': {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...meta('web-abc12'), labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.244.0.5'],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: 'web-0',
        targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1' },
        deprecatedTopology: { zone: 'a' },
        nodeName: 'node-1',
        zone: 'a',
      },
    ],
    ports: [{ name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' }],
  },
  'networking.k8s.io/v1/Ingress': {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta('web'),
    spec: {
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'default', port: { number: 80 } } },
      tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
      rules: [
        {
          host: 'a.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
              { path: '/static', pathType: 'Exact', backend: { resource: { apiGroup: 'example.com', kind: 'Bucket', name: 'b' } } },
            ],
          },
        },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
  },
};

function manifest(key: string): Record<string, unknown> {
  const m = MANIFESTS[key];
  if (!m) throw new Error(`no test manifest for ${key}`);
  return structuredClone(m);
}

describe('schema table', () => {
  it('has a top-level type for every kind of the scheme, with apiVersion, kind and metadata', () => {
    for (const rt of RESOURCES) {
      const name = KIND_TYPES[kindKey(rt)];
      assert.ok(name, `expected a schema for ${kindKey(rt)} in KIND_TYPES`);
      const t = lookupType(name);
      assert.ok(t, `KIND_TYPES names ${name} for ${kindKey(rt)}, which is not in the table`);
      for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(Object.hasOwn(t.fields, f), `${name} lacks ${f}`);
    }
  });

  it('resolves every ref, and every type is used', () => {
    for (const name of typeNames()) {
      const t = lookupType(name);
      assert.ok(t);
      for (const [field, f] of Object.entries(t.fields)) {
        for (const r of fieldRefs(f)) assert.ok(lookupType(r), `${name}.${field} refers to ${r}, which is not in the table`);
      }
    }
    const used = new Set(reachableTypes(Object.values(KIND_TYPES)));
    const unused = GROUPS.flatMap((g) => Object.keys(g.types)).filter((n) => !used.has(n));
    assert.deepEqual(unused, [], 'types that no kind reaches');
  });
});

describe('unknownFields', () => {
  it('finds nothing in a full, valid manifest of every kind', () => {
    for (const rt of RESOURCES) {
      const key = kindKey(rt);
      assert.deepEqual(unknownFields(key, manifest(key)), [], `expected no unknown fields in the ${key} manifest`);
    }
  });

  it('finds typos at every depth, with their paths, in document order', () => {
    const cm = { ...manifest('v1/ConfigMap'), dta: { c: 'd' } };
    assert.deepEqual(unknownFields('v1/ConfigMap', cm), ['dta']);

    const d = manifest('apps/v1/Deployment');
    const spec = d['spec'] as Record<string, unknown>;
    spec['replcas'] = 3;
    const tmpl = spec['template'] as { metadata: Record<string, unknown>; spec: { containers: Record<string, unknown>[] } };
    tmpl.metadata['lables'] = {};
    const second = structuredClone({ ...container, name: 'second', imagee: 'nginx' });
    (second.env[3] as { valueFrom: { secretKeyRef: Record<string, unknown> } }).valueFrom.secretKeyRef = { nmae: 's', key: 'k' };
    tmpl.spec.containers.push(second);
    (spec['strategy'] as { rollingUpdate: Record<string, unknown> }).rollingUpdate['maxSurg'] = 1;
    d['metadata'] = { name: 'web', labelz: {} };
    d['extra'] = true;
    assert.deepEqual(unknownFields('apps/v1/Deployment', d), [
      'metadata.labelz',
      'spec.template.metadata.lables',
      'spec.template.spec.containers[1].env[3].valueFrom.secretKeyRef.nmae',
      'spec.template.spec.containers[1].imagee',
      'spec.strategy.rollingUpdate.maxSurg',
      'spec.replcas',
      'extra',
    ]);
  });

  it('descends through lists of refs in every group', () => {
    const svc = manifest('v1/Service');
    (svc['spec'] as { ports: Record<string, unknown>[] }).ports.push({ port: 81, targetPrt: 81 });
    assert.deepEqual(unknownFields('v1/Service', svc), ['spec.ports[1].targetPrt']);

    const ing = manifest('networking.k8s.io/v1/Ingress');
    const rule = (ing['spec'] as { rules: { http: { paths: { backend: { service: { port: Record<string, unknown> } } }[] } }[] }).rules[0];
    const path0 = rule?.http.paths[0];
    assert.ok(path0);
    path0.backend.service.port['numbr'] = 80;
    assert.deepEqual(unknownFields('networking.k8s.io/v1/Ingress', ing), ['spec.rules[0].http.paths[0].backend.service.port.numbr']);

    const hpa = manifest('autoscaling/v2/HorizontalPodAutoscaler');
    const metrics = (hpa['spec'] as { metrics: { resource?: { target: Record<string, unknown> } }[] }).metrics;
    const target = metrics[0]?.resource?.target;
    assert.ok(target);
    target['averageUtilisation'] = 50;
    assert.deepEqual(unknownFields('autoscaling/v2/HorizontalPodAutoscaler', hpa), ['spec.metrics[0].resource.target.averageUtilisation']);

    const ep = manifest('v1/Endpoints');
    ep['subsets'] = [{ adresses: [] }];
    assert.deepEqual(unknownFields('v1/Endpoints', ep), ['subsets[0].adresses']);
  });

  it('stops at free-form fields and maps', () => {
    const pod = manifest('v1/Pod');
    const spec = pod['spec'] as Record<string, unknown>;
    spec['securityContext'] = { notAField: { deeper: [{ still: 1 }] } };
    spec['affinity'] = { podAffinity: { anything: true } };
    spec['volumes'] = [{ name: 'v', csi: { driver: 'd', whatever: {} } }];
    spec['nodeSelector'] = { 'any.key/at-all': 'v' };
    pod['status'] = { madeUp: { fields: ['ok'] } };
    pod['metadata'] = { name: 'p', annotations: { 'free.example.com/key': 'v' } };
    assert.deepEqual(unknownFields('v1/Pod', pod), []);
  });

  it('ignores values of the wrong JSON type (validation reports those)', () => {
    assert.deepEqual(unknownFields('v1/Pod', { spec: { containers: 'nginx', volumes: { name: 'v' } } }), []);
    assert.deepEqual(unknownFields('v1/Pod', { spec: [{ bogus: 1 }] }), []);
    assert.deepEqual(unknownFields('v1/Pod', 'not an object'), []);
    assert.deepEqual(unknownFields('v1/Pod', null), []);
  });

  it('reports several unknown fields, nulls included, outside patch mode', () => {
    assert.deepEqual(unknownFields('v1/ConfigMap', { a: 1, data: {}, b: null, $patch: 'replace' }), ['a', 'b', '$patch']);
  });

  it('in patch mode, skips $ directives and nulls (which delete)', () => {
    const patch = {
      metadata: { labels: { x: null }, oldField: null },
      spec: {
        $retainKeys: ['type'],
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              { name: 'app', imagee: 'x' },
              { name: 'gone', $patch: 'delete' },
            ],
            '$deleteFromPrimitiveList/finalizers': ['a'],
          },
        },
      },
    };
    assert.deepEqual(unknownFields('apps/v1/Deployment', patch, { patch: true }), ['spec.template.spec.containers[0].imagee']);
    assert.deepEqual(unknownFields('apps/v1/Deployment', patch), [
      'metadata.oldField',
      'spec.$retainKeys',
      'spec.template.spec.$setElementOrder/containers',
      'spec.template.spec.containers[0].imagee',
      'spec.template.spec.containers[1].$patch',
      'spec.template.spec.$deleteFromPrimitiveList/finalizers',
    ]);
  });

  it('has nothing to say about kinds outside the table', () => {
    assert.deepEqual(unknownFields('faas.example.com/v1/Function', { spec: { anything: 1 }, dta: 2 }), []);
  });

  it('handles wide input without recursion', () => {
    const env = Array.from({ length: 50_000 }, (_, i) => ({ name: `V${i}`, value: 'x', ...(i === 49_999 ? { vlaue: 'y' } : {}) }));
    const pod = { spec: { containers: [{ name: 'c', env }] } };
    assert.deepEqual(unknownFields('v1/Pod', pod), ['spec.containers[0].env[49999].vlaue']);
  });
});
