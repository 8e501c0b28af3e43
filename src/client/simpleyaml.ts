// A small parser for the YAML that kubeconfig files are written in (block mappings and sequences,
// plain and quoted scalars, comments, `{}` and `[]`), so that a command-line client can read its
// kubeconfig without loading the full `yaml` package, which costs more start-up time than the whole
// request. Anything outside that subset (anchors, tags, block scalars, non-empty flow collections,
// multi-line scalars, duplicate keys) returns undefined and the caller falls back to the full parser;
// simpleyaml.test.ts checks that both agree wherever this one answers.

type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

interface Line {
  indent: number;
  text: string;
}

class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported();
}

/** Drops a trailing ` # comment` outside quotes and trailing spaces. */
function stripComment(s: string): string {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      if (i === 0 || s[i - 1] === ' ' || s[i - 1] === ':' || s[i - 1] === '-') quote = c;
    } else if (c === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) return s.slice(0, i).trimEnd();
  }
  if (quote) unsupported(); // a quoted scalar running over more than one line
  return s.trimEnd();
}

function toLines(text: string): Line[] {
  const out: Line[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, l] of raw.entries()) {
    if (l.includes('\t') && /^\s*\t/.test(l)) unsupported();
    const body = stripComment(l);
    const trimmed = body.trimStart();
    if (trimmed === '') continue;
    if (body === '---' && out.length === 0) continue;
    if (body === '---' || body === '...' || body.startsWith('--- ') || body.startsWith('%')) {
      // A second document, an end marker or a directive: only a lone leading `---` is in the subset.
      if (body === '...' && raw.slice(i + 1).every((r) => stripComment(r).trim() === '')) break;
      unsupported();
    }
    out.push({ indent: body.length - trimmed.length, text: trimmed });
  }
  return out;
}

const PLAIN_SAFE = /^[^\s\-?:,[\]{}#&*!|>'"%@`][^#]*$|^-\S[^#]*$/;

function scalar(raw: string): Value {
  const s = raw.trim();
  if (s === '') return null;
  if (s === '{}') return {};
  if (s === '[]') return [];
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) unsupported();
    const body = s.slice(1, -1);
    if (/\\[^"\\/bfnrtu]/.test(body)) unsupported(); // YAML-only escapes (\x, \e, \U, ...)
    try {
      return JSON.parse(s) as string;
    } catch {
      return unsupported();
    }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) unsupported();
    const body = s.slice(1, -1);
    if (/(^|[^'])'([^']|$)/.test(body.replace(/''/g, ''))) unsupported();
    return body.replace(/''/g, "'");
  }
  if (!PLAIN_SAFE.test(s) || s.includes(': ') || s.endsWith(':')) unsupported();
  if (/^(true|True|TRUE)$/.test(s)) return true;
  if (/^(false|False|FALSE)$/.test(s)) return false;
  if (/^(null|Null|NULL|~)$/.test(s)) return null;
  if (/^[-+]?[0-9]+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : unsupported();
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s) || /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s) || /^0[xo]/.test(s)) unsupported();
  return s;
}

/** Splits `key: rest` (or `key:`); undefined when the line is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    const q = text[0] as string;
    let i = 1;
    for (; i < text.length; i++) {
      if (q === '"' && text[i] === '\\') i++;
      else if (text[i] === q) {
        if (q === "'" && text[i + 1] === "'") {
          i++;
          continue;
        }
        break;
      }
    }
    const after = text.slice(i + 1);
    if (!(after === ':' || after.startsWith(': '))) return undefined;
    return { key: scalar(text.slice(0, i + 1)) as string, rest: after.slice(1) };
  }
  const m = /^([^:#]*?[^\s:]|[^:#\s]):( |$)/.exec(text);
  if (!m) return undefined;
  const keyText = m[1] ?? '';
  if (/^[?&*!|>%@`[\]{},-]/.test(keyText) && !/^-[^\s]/.test(keyText)) unsupported();
  return { key: keyText, rest: text.slice(m[0].length) };
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

class Parser {
  constructor(private readonly lines: Line[]) {}

  block(i: number, indent: number): [Value, number] {
    const line = this.lines[i];
    if (!line || line.indent !== indent) unsupported();
    return isSeqItem(line.text) ? this.sequence(i, indent) : this.mapping(i, indent);
  }

  /** The value after `key:` with nothing on the line: a nested block, a sequence at the same indent, or null. */
  private child(i: number, indent: number): [Value, number] {
    const next = this.lines[i];
    if (next && next.indent > indent) return this.block(i, next.indent);
    if (next && next.indent === indent && isSeqItem(next.text)) return this.sequence(i, indent);
    return [null, i];
  }

  mapping(i: number, indent: number): [Value, number] {
    const out: Record<string, Value> = {};
    while (i < this.lines.length) {
      const line = this.lines[i] as Line;
      if (line.indent < indent) break;
      if (line.indent > indent || isSeqItem(line.text)) unsupported();
      const kv = splitKey(line.text);
      if (!kv) unsupported();
      if (Object.hasOwn(out, kv.key) || kv.key === '__proto__') unsupported();
      i++;
      if (kv.rest.trim() === '') {
        const [v, next] = this.child(i, indent);
        out[kv.key] = v;
        i = next;
      } else out[kv.key] = scalar(kv.rest);
    }
    return [out, i];
  }

  sequence(i: number, indent: number): [Value, number] {
    const out: Value[] = [];
    while (i < this.lines.length) {
      const line = this.lines[i] as Line;
      if (line.indent < indent) break;
      if (line.indent > indent || !isSeqItem(line.text)) {
        if (line.indent === indent) break; // the next key of an enclosing mapping at the same indent
        unsupported();
      }
      const item = line.text === '-' ? '' : line.text.slice(2);
      const offset = line.text.length - item.trimStart().length;
      if (item.trim() === '') {
        const next = this.lines[i + 1];
        if (next && next.indent > indent) {
          const [v, n] = this.block(i + 1, next.indent);
          out.push(v);
          i = n;
        } else {
          out.push(null);
          i++;
        }
        continue;
      }
      if (isSeqItem(item.trimStart()) || splitKey(item.trimStart())) {
        // `- key: value` (or `- - x`): the item is a block starting in this line's item column.
        this.lines[i] = { indent: indent + offset, text: item.trimStart() };
        const [v, n] = this.block(i, indent + offset);
        out.push(v);
        i = n;
        continue;
      }
      out.push(scalar(item));
      i++;
    }
    return [out, i];
  }
}

/** The document as plain data, or undefined when it uses YAML beyond the kubeconfig subset. */
export function parseSimpleYaml(text: string): unknown {
  try {
    const lines = toLines(text);
    if (lines.length === 0) return null;
    const first = lines[0] as Line;
    if (first.indent !== 0) return undefined;
    const [value, end] = new Parser(lines).block(0, 0);
    return end === lines.length ? value : undefined;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
