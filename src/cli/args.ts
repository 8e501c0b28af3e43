// A small kubectl-style flag parser: `-n x`, `-nx`, `-n=x`, `--namespace x`, `--namespace=x`, `-ojson`,
// combined boolean shorts (`-it`), repeatable flags (`-f a -f b`), `--flag=false` for booleans, and `--`
// ending the flags. Flags and positionals may interleave, as with kubectl. No I/O and no heavy imports:
// main.ts loads this on every start.

export type FlagType = 'string' | 'bool' | 'strings' | 'int';

/** What the shell completes for a flag's value (see commands/complete.ts). */
export type ValueHint = readonly string[] | 'namespaces' | 'contexts' | 'files' | 'kinds';

export interface FlagSpec {
  readonly type: FlagType;
  readonly short?: string;
  readonly summary: string;
  /** Shown in help and returned when the flag is absent. */
  readonly default?: string | boolean | number;
  /** For string flags: the value taken when the flag is given without `=value` (`--dry-run` → 'client'). */
  readonly bare?: string;
  readonly values?: ValueHint;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** A mistake in how the command was typed: printed with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Value = string | boolean | number | string[];

export class ParsedArgs {
  constructor(
    readonly specs: FlagSpecs,
    private readonly values: ReadonlyMap<string, Value>,
    readonly positionals: readonly string[],
    /** Everything after `--`. */
    readonly rest: readonly string[],
  ) {}

  private spec(name: string, type: FlagType): FlagSpec {
    const spec = this.specs[name];
    if (!spec || spec.type !== type) throw new Error(`internal: flag --${name} is not a declared ${type} flag`);
    return spec;
  }

  /** True when the user typed the flag (as opposed to its default applying). */
  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    const spec = this.spec(name, 'string');
    const v = this.values.get(name);
    if (typeof v === 'string') return v;
    return typeof spec.default === 'string' ? spec.default : undefined;
  }

  bool(name: string): boolean {
    const spec = this.spec(name, 'bool');
    const v = this.values.get(name);
    if (typeof v === 'boolean') return v;
    return spec.default === true;
  }

  strings(name: string): string[] {
    this.spec(name, 'strings');
    const v = this.values.get(name);
    return Array.isArray(v) ? [...v] : [];
  }

  int(name: string): number | undefined {
    const spec = this.spec(name, 'int');
    const v = this.values.get(name);
    if (typeof v === 'number') return v;
    return typeof spec.default === 'number' ? spec.default : undefined;
  }
}

function parseBool(flag: string, raw: string): boolean {
  if (raw === 'true' || raw === '1' || raw === 't' || raw === 'T' || raw === 'TRUE' || raw === 'True') return true;
  if (raw === 'false' || raw === '0' || raw === 'f' || raw === 'F' || raw === 'FALSE' || raw === 'False') return false;
  throw new UsageError(`invalid argument "${raw}" for "${flag}": expected true or false`);
}

function parseInt10(flag: string, raw: string): number {
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`invalid argument "${raw}" for "${flag}": expected an integer`);
  return Number(raw);
}

/** Parses argv against the flag specs. Throws UsageError for unknown flags and missing values. */
export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);
  const values = new Map<string, Value>();
  const positionals: string[] = [];
  let rest: string[] = [];

  const set = (name: string, shown: string, raw: string | true): void => {
    const spec = specs[name] as FlagSpec;
    switch (spec.type) {
      case 'bool':
        values.set(name, raw === true ? true : parseBool(shown, raw));
        return;
      case 'int':
        values.set(name, parseInt10(shown, raw === true ? '' : raw));
        return;
      case 'string':
        values.set(name, raw === true ? '' : raw);
        return;
      case 'strings': {
        const prev = values.get(name);
        values.set(name, [...(Array.isArray(prev) ? prev : []), raw === true ? '' : raw]);
        return;
      }
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i] as string;
    const next = (shown: string): string => {
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`flag needs an argument: ${shown}`);
      i++;
      return v;
    };
    if (tok === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      const name = eq === -1 ? tok.slice(2) : tok.slice(2, eq);
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      const shown = `--${name}`;
      if (eq !== -1) set(name, shown, tok.slice(eq + 1));
      else if (spec.type === 'bool') set(name, shown, true);
      else if (spec.bare !== undefined) set(name, shown, spec.bare);
      else set(name, shown, next(shown));
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      // One or more shorts: booleans may be combined (-it); a value-taking short takes the rest of the token.
      for (let j = 1; j < tok.length; j++) {
        const c = tok[j] as string;
        const name = byShort.get(c);
        if (name === undefined) throw new UsageError(`unknown shorthand flag: '${c}' in ${tok}`);
        const spec = specs[name] as FlagSpec;
        const shown = `-${c}`;
        if (spec.type === 'bool') {
          if (tok[j + 1] === '=') {
            set(name, shown, tok.slice(j + 2));
            break;
          }
          set(name, shown, true);
          continue;
        }
        const attached = tok.slice(j + 1);
        if (attached !== '') set(name, shown, attached.startsWith('=') ? attached.slice(1) : attached);
        else if (spec.bare !== undefined) set(name, shown, spec.bare);
        else set(name, shown, next(shown));
        break;
      }
      continue;
    }
    positionals.push(tok);
  }
  return new ParsedArgs(specs, values, positionals, rest);
}

/**
 * Finds the command word in argv, skipping the global flags before it (and their values), so that
 * `mkctl -n kube-system get pods` and `mkctl get pods -n kube-system` both find `get`.
 */
export function findCommand(argv: readonly string[], globals: FlagSpecs): { index: number; name: string | undefined } {
  const valueTaking = new Set<string>();
  for (const [name, spec] of Object.entries(globals)) {
    if (spec.type === 'bool' || spec.bare !== undefined) continue;
    valueTaking.add(`--${name}`);
    if (spec.short) valueTaking.add(`-${spec.short}`);
  }
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i] as string;
    if (tok === '--') return { index: -1, name: undefined };
    if (tok.startsWith('-') && tok.length > 1) {
      if (valueTaking.has(tok)) i++;
      continue;
    }
    return { index: i, name: tok };
  }
  return { index: -1, name: undefined };
}

/** `--flag` and `-f, --flag` lines for help output. */
export function flagHelp(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'bool' ? '' : spec.type === 'int' ? ' N' : '=VALUE'}`;
    const dflt = spec.default !== undefined && spec.default !== false && spec.default !== '' ? ` (default ${String(spec.default)})` : '';
    return [left, `${spec.summary}${dflt}`] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 3;
  return rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n');
}
