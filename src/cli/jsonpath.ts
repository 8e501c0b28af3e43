// The JSONPath template subset kubectl users write with `-o jsonpath=...`, `custom-columns` and
// `--sort-by`: text with `{expressions}`, where an expression is a path (`.a.b`, `.items[*].metadata.name`,
// `[0]`, `[-1]`, `[1:3]`, `['a.b']`, `.*`, `..name`, `[?(@.type=="Ready")]`, `$`, `@`), a string literal
// (`{"\n"}`), or `range PATH` ... `end`. Missing fields print nothing (kubectl's --allow-missing-template-keys
// default). Several results of one path print separated by spaces; maps and lists print as JSON.

type Json = unknown;

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recursive'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | undefined; end: number | undefined }
  | { kind: 'filter'; path: Step[]; op: '==' | '!=' | '<' | '>' | '<=' | '>=' | 'exists'; value: Json };

type Node = { kind: 'text'; text: string } | { kind: 'path'; steps: Step[] } | { kind: 'range'; steps: Step[]; body: Node[] };

export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

/** Splits a template into text and `{...}` expressions (quotes inside braces may hold braces). */
function tokenize(template: string): { text?: string; expr?: string }[] {
  const out: { text?: string; expr?: string }[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const c = template[i] as string;
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    if (text) out.push({ text });
    text = '';
    let j = i + 1;
    let quote: string | undefined;
    for (; j < template.length; j++) {
      const d = template[j] as string;
      if (quote) {
        if (d === '\\') j++;
        else if (d === quote) quote = undefined;
      } else if (d === '"' || d === "'") quote = d;
      else if (d === '}') break;
    }
    if (j >= template.length) throw new JsonPathError(`unclosed action in template ${JSON.stringify(template)}`);
    out.push({ expr: template.slice(i + 1, j).trim() });
    i = j + 1;
  }
  if (text) out.push({ text });
  return out;
}

function unquote(s: string): string {
  const q = s[0];
  const body = s.slice(1, -1);
  if (q === '"') {
    try {
      return JSON.parse(`"${body}"`) as string;
    } catch {
      throw new JsonPathError(`invalid string literal ${s}`);
    }
  }
  return body.replace(/\\'/g, "'");
}

function parseLiteral(s: string): Json {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return unquote(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  const n = Number(t);
  if (t !== '' && Number.isFinite(n)) return n;
  throw new JsonPathError(`unsupported value in filter: ${s}`);
}

/** Parses a path: `.a.b[0]['c.d'][*]..e`. A leading `$` or `@` is accepted and ignored. */
export function parsePath(src: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  if (src[0] === '$' || src[0] === '@') i = 1;
  const readName = (): string => {
    let name = '';
    while (i < src.length) {
      const c = src[i] as string;
      if (c === '\\' && i + 1 < src.length) {
        name += src[i + 1];
        i += 2;
        continue;
      }
      if (c === '.' || c === '[') break;
      name += c;
      i++;
    }
    return name;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '.') {
      if (src[i + 1] === '.') {
        i += 2;
        const name = readName();
        if (!name) throw new JsonPathError(`expected a field name after .. in ${src}`);
        steps.push({ kind: 'recursive', name });
        continue;
      }
      i++;
      if (src[i] === '*') {
        i++;
        steps.push({ kind: 'wildcard' });
        continue;
      }
      const name = readName();
      if (name) steps.push({ kind: 'field', name });
      continue;
    }
    if (c === '[') {
      const close = findClose(src, i);
      const inner = src.slice(i + 1, close).trim();
      i = close + 1;
      steps.push(parseBracket(inner, src));
      continue;
    }
    // A bare leading name (`metadata.name`, as custom-columns allow).
    const name = readName();
    if (!name) throw new JsonPathError(`unexpected ${JSON.stringify(c)} in path ${src}`);
    steps.push({ kind: 'field', name });
  }
  return steps;
}

function findClose(src: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < src.length; j++) {
    const d = src[j];
    if (quote) {
      if (d === '\\') j++;
      else if (d === quote) quote = undefined;
    } else if (d === '"' || d === "'") quote = d;
    else if (d === '[' || d === '(') depth++;
    else if (d === ']' || d === ')') {
      depth--;
      if (depth === 0 && d === ']') return j;
    }
  }
  throw new JsonPathError(`unclosed [ in path ${src}`);
}

function parseBracket(inner: string, src: string): Step {
  if (inner === '*') return { kind: 'wildcard' };
  if ((inner.startsWith("'") && inner.endsWith("'")) || (inner.startsWith('"') && inner.endsWith('"'))) return { kind: 'field', name: unquote(inner) };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const slice = /^(-?\d*):(-?\d*)$/.exec(inner);
  if (slice) return { kind: 'slice', start: slice[1] ? Number(slice[1]) : undefined, end: slice[2] ? Number(slice[2]) : undefined };
  const filter = /^\?\((.*)\)$/s.exec(inner);
  if (filter) {
    const body = (filter[1] ?? '').trim();
    const m = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(body);
    if (m) return { kind: 'filter', path: parsePath((m[1] ?? '@').trim()), op: m[2] as '==', value: parseLiteral(m[3] ?? '') };
    if (body.startsWith('@')) return { kind: 'filter', path: parsePath(body), op: 'exists', value: null };
  }
  throw new JsonPathError(`unsupported [${inner}] in path ${src}`);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compare(a: Json, op: Step & { kind: 'filter' }): boolean {
  const b = op.value;
  switch (op.op) {
    case 'exists':
      return a !== undefined;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
  if (typeof a === 'number' && typeof b === 'number') return op.op === '<' ? a < b : op.op === '>' ? a > b : op.op === '<=' ? a <= b : a >= b;
  if (typeof a === 'string' && typeof b === 'string') return op.op === '<' ? a < b : op.op === '>' ? a > b : op.op === '<=' ? a <= b : a >= b;
  return false;
}

function collectRecursive(v: Json, name: string, out: Json[]): void {
  if (Array.isArray(v)) for (const x of v) collectRecursive(x, name, out);
  else if (isMap(v)) {
    if (Object.hasOwn(v, name)) out.push(v[name]);
    for (const x of Object.values(v)) collectRecursive(x, name, out);
  }
}

/** Every value the path selects from `root` (none when a field is missing). */
export function evaluate(steps: readonly Step[], root: Json): Json[] {
  let cur: Json[] = [root];
  for (const step of steps) {
    const next: Json[] = [];
    for (const v of cur) {
      switch (step.kind) {
        case 'field':
          if (isMap(v) && Object.hasOwn(v, step.name)) next.push(v[step.name]);
          break;
        case 'recursive':
          collectRecursive(v, step.name, next);
          break;
        case 'wildcard':
          if (Array.isArray(v)) next.push(...(v as Json[]));
          else if (isMap(v)) next.push(...Object.values(v));
          break;
        case 'index':
          if (Array.isArray(v)) {
            const i = step.index < 0 ? v.length + step.index : step.index;
            if (i >= 0 && i < v.length) next.push(v[i]);
          }
          break;
        case 'slice':
          if (Array.isArray(v)) next.push(...(v.slice(step.start, step.end) as Json[]));
          break;
        case 'filter':
          if (Array.isArray(v)) for (const item of v as Json[]) if (evaluate(step.path, item).some((x) => compare(x, step))) next.push(item);
          break;
      }
    }
    cur = next;
  }
  return cur;
}

function parseNodes(tokens: { text?: string; expr?: string }[], pos: { i: number }, inRange: boolean): Node[] {
  const nodes: Node[] = [];
  while (pos.i < tokens.length) {
    const t = tokens[pos.i++] as { text?: string; expr?: string };
    if (t.text !== undefined) {
      nodes.push({ kind: 'text', text: t.text });
      continue;
    }
    const expr = t.expr ?? '';
    if (expr === 'end') {
      if (!inRange) throw new JsonPathError('{end} without {range}');
      return nodes;
    }
    if (expr.startsWith('range ') || expr === 'range') {
      const steps = parsePath(expr.slice(5).trim());
      nodes.push({ kind: 'range', steps, body: parseNodes(tokens, pos, true) });
      continue;
    }
    if ((expr.startsWith('"') && expr.endsWith('"') && expr.length >= 2) || (expr.startsWith("'") && expr.endsWith("'") && expr.length >= 2)) {
      nodes.push({ kind: 'text', text: unquote(expr) });
      continue;
    }
    nodes.push({ kind: 'path', steps: parsePath(expr) });
  }
  if (inRange) throw new JsonPathError('{range} without {end}');
  return nodes;
}

/** A compiled template: `render(data)` returns the text. */
export interface Template {
  render(data: Json): string;
}

/** Scalars as text, maps and lists as JSON (kubectl prints them the same way). */
export function valueText(v: Json): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function renderNodes(nodes: readonly Node[], data: Json): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'path') out += evaluate(n.steps, data).map(valueText).join(' ');
    else
      for (const item of evaluate(n.steps, data))
        for (const x of Array.isArray(item) && n.steps.at(-1)?.kind !== 'wildcard' ? (item as Json[]) : [item]) out += renderNodes(n.body, x);
  }
  return out;
}

export function compile(template: string): Template {
  const nodes = parseNodes(tokenize(template), { i: 0 }, false);
  return { render: (data) => renderNodes(nodes, data) };
}

/** custom-columns and --sort-by accept `.a.b`, `{.a.b}` and `a.b`: all mean the path. */
export function compileRelaxed(expr: string): Step[] {
  let e = expr.trim();
  if (e.startsWith('{') && e.endsWith('}')) e = e.slice(1, -1).trim();
  return parsePath(e);
}
