// What every phase hands back (named figures with optional targets) and the tables printed from
// them: one per backend with verdicts, and one comparing the backends as etcd/SQLite ratios.

import { fmt, table } from './stats.js';
import { BACKEND_NAMES, type Backend } from './target.js';

export interface Metric {
  /** Stable identifier, the same for every backend (rows of the comparison). */
  id: string;
  label: string;
  unit: string;
  value: number;
  /** Pass when value ≤ max (or ≥ min); `only` limits the verdict to one backend. */
  target?: { max?: number; min?: number; only?: Backend };
  /** False where an etcd/SQLite ratio means nothing (the machine's background load). */
  ratio?: false;
}

export function verdict(m: Metric, backend: Backend): string {
  const t = m.target;
  if (!t) return '';
  if (!Number.isFinite(m.value)) return 'FAIL';
  const pass = (t.max === undefined || m.value <= t.max) && (t.min === undefined || m.value >= t.min);
  const word = pass ? 'pass' : 'FAIL';
  return t.only && t.only !== backend ? `(${word})` : word;
}

function targetText(m: Metric): string {
  const t = m.target;
  if (!t) return '';
  const bound = t.max !== undefined ? `≤ ${t.max}` : `≥ ${String(t.min)}`;
  return `${bound} ${m.unit}${t.only ? ` (${BACKEND_NAMES[t.only]})` : ''}`;
}

export function backendTable(backend: Backend, metrics: Metric[]): string {
  return table([['Metric', 'Value', 'Target', 'Verdict'], ...metrics.map((m) => [m.label, `${fmt(m.value)} ${m.unit}`, targetText(m), verdict(m, backend)])]);
}

export function comparisonTable(results: Partial<Record<Backend, Metric[]>>): string {
  const sqlite = results.sqlite ?? [];
  const etcd = new Map((results.etcd ?? []).map((m) => [m.id, m]));
  const rows = [['Metric', 'SQLite', 'etcd', 'etcd/SQLite']];
  for (const s of sqlite) {
    const e = etcd.get(s.id);
    const ratio =
      e && s.ratio !== false && s.value !== 0 && Number.isFinite(s.value) && Number.isFinite(e.value) ? `${(e.value / s.value).toFixed(2)}×` : 'n/a';
    rows.push([s.label, `${fmt(s.value)} ${s.unit}`, e ? `${fmt(e.value)} ${e.unit}` : 'n/a', ratio]);
    etcd.delete(s.id);
  }
  for (const e of etcd.values()) rows.push([e.label, 'n/a', `${fmt(e.value)} ${e.unit}`, 'n/a']);
  return table(rows);
}
