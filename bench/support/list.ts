// Phase 3, lists: fill one namespace with pods (bounded concurrency), then time full lists to
// the last byte (the client's JSON parse is not counted), and paged lists with limit=500 the way
// client-go's pager (JSON) and `kubectl get` (Table) walk them, following continue tokens.

import { lookupResource, type ResourceType } from '../../src/api/scheme.js';
import { bounded } from './load.js';
import { pod } from './objects.js';
import { CpuMeter } from './proc.js';
import type { Metric } from './report.js';
import type { Target } from './target.js';
import { summarize } from './stats.js';

const NS = 'bench-list';
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const COLLECTION = `/api/v1/namespaces/${NS}/pods`;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export interface ListConfig {
  pods: number;
  lists: number;
  pagedWalks: number;
  pageSize: number;
  createConcurrency: number;
}

interface Page {
  items?: unknown[];
  rows?: unknown[];
  metadata?: { continue?: string };
}

/** Walks the collection page by page; returns each page's time and the number of items seen. */
async function walk(t: Target, limit: number, accept: string): Promise<{ pageMs: number[]; items: number }> {
  const pageMs: number[] = [];
  let items = 0;
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ limit: String(limit), ...(token ? { continue: token } : {}) });
    const r = await t.raw.get(`${COLLECTION}?${q.toString()}`, accept);
    if (r.status !== 200) throw new Error(`paged list: HTTP ${r.status}: ${r.body.toString().slice(0, 200)}`);
    pageMs.push(r.ms);
    const page = JSON.parse(r.body.toString('utf8')) as Page;
    items += (page.items ?? page.rows ?? []).length;
    token = page.metadata?.continue || undefined;
  } while (token);
  return { pageMs, items };
}

export async function listPhase(t: Target, cfg: ListConfig): Promise<Metric[]> {
  const pods = t.client.resource(PODS);
  const createMs = await bounded({ concurrency: cfg.createConcurrency, count: cfg.pods, op: (i) => pods.create(pod(`web-${String(i).padStart(6, '0')}`, NS)) });

  // One list to warm up and check the count; not timed.
  const first = await t.raw.get(COLLECTION);
  const got = (JSON.parse(first.body.toString('utf8')) as Page).items?.length ?? 0;
  if (got !== cfg.pods) throw new Error(`list returned ${got} pods, expected ${cfg.pods}`);
  const full: number[] = [];
  const headers: number[] = [];
  const cpu = new CpuMeter([t.pids.apiserver]);
  for (let i = 0; i < cfg.lists; i++) {
    const r = await t.raw.get(COLLECTION);
    if (r.status !== 200) throw new Error(`list: HTTP ${r.status}`);
    full.push(r.ms);
    headers.push(r.headersMs);
  }
  const listCpuMs = (cpu.stop().cpuMs[0] ?? NaN) / cfg.lists;
  const fullStats = summarize(full);

  const jsonPages: number[] = [];
  const jsonWalks: number[] = [];
  const tablePages: number[] = [];
  const tableWalks: number[] = [];
  for (let i = 0; i < cfg.pagedWalks; i++) {
    for (const [accept, pages, walks] of [
      ['application/json', jsonPages, jsonWalks],
      [TABLE, tablePages, tableWalks],
    ] as const) {
      const w = await walk(t, cfg.pageSize, accept);
      if (w.items !== cfg.pods) throw new Error(`paged list (${accept}) returned ${w.items} items, expected ${cfg.pods}`);
      pages.push(...w.pageMs);
      walks.push(w.pageMs.reduce((a, b) => a + b, 0));
    }
  }
  const jp = summarize(jsonPages);
  const tp = summarize(tablePages);
  return [
    { id: 'l.create', label: `List: creating ${cfg.pods} pods (${cfg.createConcurrency} in flight)`, unit: 'pods/s', value: (cfg.pods * 1000) / createMs },
    { id: 'l.bytes', label: 'List: full list response size', unit: 'MiB', value: first.body.length / 1048576 },
    { id: 'l.p50', label: `List: full list of ${cfg.pods} pods, p50 (${cfg.lists} lists)`, unit: 'ms', value: fullStats.p50 },
    { id: 'l.p99', label: 'List: full list p99', unit: 'ms', value: fullStats.p99, target: { max: 300 } },
    { id: 'l.h50', label: 'List: full list, time to response headers, p50', unit: 'ms', value: summarize(headers).p50 },
    { id: 'l.cpu', label: 'List: API server CPU per full list', unit: 'ms', value: listCpuMs },
    { id: 'l.jp50', label: `List: limit=${cfg.pageSize} page (JSON), p50`, unit: 'ms', value: jp.p50 },
    { id: 'l.jp99', label: `List: limit=${cfg.pageSize} page (JSON), p99`, unit: 'ms', value: jp.p99 },
    { id: 'l.jwalk', label: `List: all pages (JSON), mean of ${cfg.pagedWalks}`, unit: 'ms', value: summarize(jsonWalks).mean },
    { id: 'l.tp50', label: `List: limit=${cfg.pageSize} page (Table, kubectl get), p50`, unit: 'ms', value: tp.p50 },
    { id: 'l.tp99', label: `List: limit=${cfg.pageSize} page (Table, kubectl get), p99`, unit: 'ms', value: tp.p99 },
    { id: 'l.twalk', label: `List: all pages (Table), mean of ${cfg.pagedWalks}`, unit: 'ms', value: summarize(tableWalks).mean },
  ];
}
