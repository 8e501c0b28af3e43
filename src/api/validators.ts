// Per-kind validation of spec fields, keyed by kind key. Metadata is validated generically
// (validation.ts). Each validator returns every field error it finds, not just the first.

import { isObject } from './meta.js';
import { fe, isDns1123Label, nonNegativeInt, validateSelectorMatchesTemplate, type FieldError } from './validation.js';

type Obj = Record<string, unknown>;
type Validator = (o: Obj) => FieldError[];

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+|[EPTGMk]i?|Ki|[mun])?$/;

function stringList(v: unknown, field: string, errs: FieldError[]): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) errs.push(fe.type(field, 'array of strings'));
}

function optString(o: Obj, key: string, base: string, errs: FieldError[]): void {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v !== 'string') errs.push(fe.type(`${base}.${key}`, 'string'));
}

function validPort(v: unknown, field: string, errs: FieldError[], allowName: boolean): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1 || v > 65535) errs.push(fe.invalid(field, v, 'must be between 1 and 65535, inclusive'));
  } else if (typeof v === 'string' && allowName) {
    if (!/^\d+$/.test(v) && !isDns1123Label(v)) errs.push(fe.invalid(field, v, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
  } else errs.push(fe.type(field, allowName ? 'integer or string' : 'integer'));
}

function validateResources(r: unknown, base: string, errs: FieldError[]): void {
  if (r === undefined || r === null) return;
  if (!isObject(r)) return void errs.push(fe.type(base, 'object'));
  for (const part of ['limits', 'requests'] as const) {
    const m = r[part];
    if (m === undefined || m === null) continue;
    if (!isObject(m)) {
      errs.push(fe.type(`${base}.${part}`, 'object'));
      continue;
    }
    for (const [k, v] of Object.entries(m)) {
      const s = typeof v === 'number' ? String(v) : v;
      if (typeof s !== 'string' || !QUANTITY.test(s)) errs.push(fe.invalid(`${base}.${part}[${k}]`, v, "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    }
  }
}

function validateContainer(c: unknown, base: string, names: Set<string>, errs: FieldError[]): void {
  if (!isObject(c)) return void errs.push(fe.type(base, 'object'));
  const name = c['name'];
  if (typeof name !== 'string' || name === '') errs.push(fe.required(`${base}.name`));
  else if (!isDns1123Label(name)) errs.push(fe.invalid(`${base}.name`, name, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\''));
  else if (names.has(name)) errs.push(fe.duplicate(`${base}.name`, name));
  else names.add(name);
  if (typeof c['image'] !== 'string' || c['image'] === '') errs.push(fe.required(`${base}.image`));
  stringList(c['command'], `${base}.command`, errs);
  stringList(c['args'], `${base}.args`, errs);
  optString(c, 'workingDir', base, errs);
  const pp = c['imagePullPolicy'];
  if (pp !== undefined && !PULL_POLICIES.includes(pp as never)) errs.push(fe.notSupported(`${base}.imagePullPolicy`, pp, PULL_POLICIES));
  const ports = c['ports'];
  if (ports !== undefined && ports !== null) {
    if (!Array.isArray(ports)) errs.push(fe.type(`${base}.ports`, 'array'));
    else
      ports.forEach((p: unknown, i) => {
        const pb = `${base}.ports[${i}]`;
        if (!isObject(p)) return void errs.push(fe.type(pb, 'object'));
        validPort(p['containerPort'], `${pb}.containerPort`, errs, false);
        if (p['protocol'] !== undefined && !PROTOCOLS.includes(p['protocol'] as never)) errs.push(fe.notSupported(`${pb}.protocol`, p['protocol'], PROTOCOLS));
      });
  }
  const env = c['env'];
  if (env !== undefined && env !== null) {
    if (!Array.isArray(env)) errs.push(fe.type(`${base}.env`, 'array'));
    else
      env.forEach((e: unknown, i) => {
        if (!isObject(e) || typeof e['name'] !== 'string' || e['name'] === '') errs.push(fe.required(`${base}.env[${i}].name`));
        else if (e['value'] !== undefined && typeof e['value'] !== 'string') errs.push(fe.type(`${base}.env[${i}].value`, 'string'));
      });
  }
  validateResources(c['resources'], `${base}.resources`, errs);
}

export function validatePodSpec(spec: unknown, base: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(spec)) return [fe.required(base)];
  const names = new Set<string>();
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) errs.push(fe.required(`${base}.containers`));
  else containers.forEach((c: unknown, i) => validateContainer(c, `${base}.containers[${i}]`, names, errs));
  const init = spec['initContainers'];
  if (init !== undefined && init !== null) {
    if (!Array.isArray(init)) errs.push(fe.type(`${base}.initContainers`, 'array'));
    else init.forEach((c: unknown, i) => validateContainer(c, `${base}.initContainers[${i}]`, names, errs));
  }
  const rp = spec['restartPolicy'];
  if (rp !== undefined && !RESTART_POLICIES.includes(rp as never)) errs.push(fe.notSupported(`${base}.restartPolicy`, rp, RESTART_POLICIES));
  nonNegativeInt(spec['terminationGracePeriodSeconds'], `${base}.terminationGracePeriodSeconds`, errs);
  optString(spec, 'nodeName', base, errs);
  const ns = spec['nodeSelector'];
  if (ns !== undefined && ns !== null && (!isObject(ns) || Object.values(ns).some((v) => typeof v !== 'string'))) errs.push(fe.type(`${base}.nodeSelector`, 'map of strings'));
  const vols = spec['volumes'];
  if (vols !== undefined && vols !== null) {
    if (!Array.isArray(vols)) errs.push(fe.type(`${base}.volumes`, 'array'));
    else {
      const seen = new Set<string>();
      vols.forEach((v: unknown, i) => {
        if (!isObject(v) || typeof v['name'] !== 'string' || v['name'] === '') return void errs.push(fe.required(`${base}.volumes[${i}].name`));
        if (seen.has(v['name'])) errs.push(fe.duplicate(`${base}.volumes[${i}].name`, v['name']));
        seen.add(v['name']);
      });
    }
  }
  return errs;
}

function template(spec: Obj, base: string, errs: FieldError[], restart?: readonly string[]): void {
  const t = spec['template'];
  if (!isObject(t)) return void errs.push(fe.required(`${base}.template`));
  errs.push(...validatePodSpec(t['spec'], `${base}.template.spec`));
  const tspec = t['spec'];
  if (restart && isObject(tspec) && !restart.includes(tspec['restartPolicy'] as string)) {
    errs.push(fe.notSupported(`${base}.template.spec.restartPolicy`, tspec['restartPolicy'], restart));
  }
}

function specOf(o: Obj, errs: FieldError[]): Obj | undefined {
  const s = o['spec'];
  if (!isObject(s)) {
    errs.push(s === undefined ? fe.required('spec') : fe.type('spec', 'object'));
    return undefined;
  }
  return s;
}

function workload(o: Obj, restart?: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o, errs);
  if (!spec) return errs;
  nonNegativeInt(spec['replicas'], 'spec.replicas', errs);
  nonNegativeInt(spec['minReadySeconds'], 'spec.minReadySeconds', errs);
  validateSelectorMatchesTemplate(spec, 'spec', errs);
  template(spec, 'spec', errs, restart);
  return errs;
}

function validateService(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o, errs);
  if (!spec) return errs;
  const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
  if (!types.includes(spec['type'] as never)) errs.push(fe.notSupported('spec.type', spec['type'], types));
  const ports = spec['ports'];
  if (spec['type'] !== 'ExternalName' && spec['clusterIP'] !== 'None' && (!Array.isArray(ports) || ports.length === 0)) errs.push(fe.required('spec.ports'));
  if (Array.isArray(ports)) {
    const names = new Set<string>();
    ports.forEach((p: unknown, i) => {
      const b = `spec.ports[${i}]`;
      if (!isObject(p)) return void errs.push(fe.type(b, 'object'));
      validPort(p['port'], `${b}.port`, errs, false);
      if (p['targetPort'] !== undefined) validPort(p['targetPort'], `${b}.targetPort`, errs, true);
      if (p['nodePort'] !== undefined) validPort(p['nodePort'], `${b}.nodePort`, errs, false);
      if (!PROTOCOLS.includes(p['protocol'] as never)) errs.push(fe.notSupported(`${b}.protocol`, p['protocol'], PROTOCOLS));
      if (ports.length > 1 && (typeof p['name'] !== 'string' || p['name'] === '')) errs.push(fe.required(`${b}.name`));
      if (typeof p['name'] === 'string') {
        if (names.has(p['name'])) errs.push(fe.duplicate(`${b}.name`, p['name']));
        names.add(p['name']);
      }
    });
  }
  const sel = spec['selector'];
  if (sel !== undefined && sel !== null && (!isObject(sel) || Object.values(sel).some((v) => typeof v !== 'string'))) errs.push(fe.type('spec.selector', 'map of strings'));
  const aff = spec['sessionAffinity'];
  if (!['None', 'ClientIP'].includes(aff as string)) errs.push(fe.notSupported('spec.sessionAffinity', aff, ['None', 'ClientIP']));
  return errs;
}

function stringData(o: Obj, field: string, errs: FieldError[], base64: boolean): void {
  const d = o[field];
  if (d === undefined || d === null) return;
  if (!isObject(d)) return void errs.push(fe.type(field, 'map of strings'));
  for (const [k, v] of Object.entries(d)) {
    if (typeof v !== 'string') errs.push(fe.type(`${field}[${k}]`, 'string'));
    else if (base64 && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errs.push(fe.invalid(`${field}[${k}]`, '<value omitted>', 'illegal base64 data'));
    if (!/^[-._a-zA-Z0-9]+$/.test(k)) errs.push(fe.invalid(field, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
  }
}

function validateHpa(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o, errs);
  if (!spec) return errs;
  const ref = spec['scaleTargetRef'];
  if (!isObject(ref) || typeof ref['kind'] !== 'string' || typeof ref['name'] !== 'string') errs.push(fe.required('spec.scaleTargetRef'));
  if (typeof spec['maxReplicas'] !== 'number' || spec['maxReplicas'] < 1) errs.push(fe.invalid('spec.maxReplicas', spec['maxReplicas'], 'must be greater than or equal to 1'));
  if (typeof spec['minReplicas'] === 'number' && typeof spec['maxReplicas'] === 'number' && spec['minReplicas'] > spec['maxReplicas']) {
    errs.push(fe.invalid('spec.maxReplicas', spec['maxReplicas'], 'must be greater than or equal to `minReplicas`'));
  }
  return errs;
}

function validateIngress(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(o, errs);
  if (!spec) return errs;
  const rules = spec['rules'];
  if (rules !== undefined && rules !== null && !Array.isArray(rules)) errs.push(fe.type('spec.rules', 'array'));
  if (!Array.isArray(rules) && !isObject(spec['defaultBackend'])) errs.push(fe.required('spec.rules', 'Required value: either `defaultBackend` or `rules` must be specified'));
  return errs;
}

export const VALIDATORS: Readonly<Record<string, Validator>> = {
  'v1/Pod': (o) => validatePodSpec(o['spec'], 'spec'),
  'v1/Service': validateService,
  'v1/ConfigMap': (o) => {
    const errs: FieldError[] = [];
    stringData(o, 'data', errs, false);
    stringData(o, 'binaryData', errs, true);
    return errs;
  },
  'v1/Secret': (o) => {
    const errs: FieldError[] = [];
    stringData(o, 'data', errs, true);
    stringData(o, 'stringData', errs, false);
    return errs;
  },
  'apps/v1/ReplicaSet': (o) => workload(o),
  'apps/v1/Deployment': (o) => {
    const errs = workload(o);
    const strat = isObject(o['spec']) ? o['spec']['strategy'] : undefined;
    if (isObject(strat) && !['RollingUpdate', 'Recreate'].includes(strat['type'] as string)) errs.push(fe.notSupported('spec.strategy.type', strat['type'], ['Recreate', 'RollingUpdate']));
    return errs;
  },
  'batch/v1/Job': (o) => {
    const errs: FieldError[] = [];
    const spec = specOf(o, errs);
    if (!spec) return errs;
    for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) nonNegativeInt(spec[f], `spec.${f}`, errs);
    template(spec, 'spec', errs, ['OnFailure', 'Never']);
    return errs;
  },
  'autoscaling/v2/HorizontalPodAutoscaler': validateHpa,
  'networking.k8s.io/v1/Ingress': validateIngress,
};
