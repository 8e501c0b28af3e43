// What a command gets when it runs: its parsed flags, the streams, the command table (for help and
// completion) and a client made on first use from the kubeconfig flags. The client module (and the
// YAML parser behind the kubeconfig) load only when a command asks for it, so `version --client`,
// `help` and `completion` start without them.

import { UsageError, type FlagSpecs, type ParsedArgs } from './args.js';
import type { Client } from '../client/client.js';

/** What the shell completes for a command's positional arguments (see commands/complete.ts). */
export type ArgsHint =
  | 'resources' // KIND [NAME...] or KIND/NAME...: kinds, then live object names
  | 'verbs'
  | 'contexts'
  | 'none'
  | readonly string[]
  | { readonly subcommands: Readonly<Record<string, ArgsHint>> };

export interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly group: 'basic' | 'modify' | 'cluster' | 'other';
  readonly flags: FlagSpecs;
  readonly args: ArgsHint;
  readonly examples?: readonly string[];
  /** Hidden commands (`__complete`) are left out of help and completion. */
  readonly hidden?: boolean;
  readonly load: () => Promise<{ run: CommandRun }>;
}

export type CommandTable = Readonly<Record<string, CommandSpec>>;

/** Returns the exit code, or nothing for 0. */
export type CommandRun = (ctx: CommandContext) => Promise<number | void>;

/** An error worth showing as `error: <message>` (no stack): bad input, a failed wait, a missing file. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export type DryRun = 'none' | 'client' | 'server';

/** What mutating commands append to their report line. */
export function dryRunSuffix(d: DryRun): string {
  return d === 'client' ? ' (dry run)' : d === 'server' ? ' (server dry run)' : '';
}

export interface Streams {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

export const processStreams: Streams = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  readStdin: () =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      process.stdin.on('data', (c: Buffer) => chunks.push(c));
      process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      process.stdin.on('error', reject);
    }),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
};

export interface ContextOptions {
  name: string;
  args: ParsedArgs;
  io: Streams;
  commands: CommandTable;
  globals: FlagSpecs;
  /** The unparsed words, for `__complete`, which parses a half-typed line itself. */
  raw?: readonly string[];
}

export class CommandContext {
  readonly name: string;
  readonly args: ParsedArgs;
  readonly io: Streams;
  readonly commands: CommandTable;
  readonly globals: FlagSpecs;
  readonly raw: readonly string[];
  private clientPromise: Promise<Client> | undefined;
  private made: Client | undefined;

  constructor(opts: ContextOptions) {
    this.name = opts.name;
    this.args = opts.args;
    this.io = opts.io;
    this.commands = opts.commands;
    this.globals = opts.globals;
    this.raw = opts.raw ?? [];
  }

  /** The API client for `--kubeconfig` / `--context` (or $KUBECONFIG, ~/.kube/config, the local admin kubeconfig). */
  client(): Promise<Client> {
    this.clientPromise ??= import('../client/client.js').then(({ Client }) => {
      const path = this.args.string('kubeconfig');
      const context = this.args.string('context');
      this.made = Client.fromKubeconfig({ ...(path ? { path } : {}), ...(context ? { context } : {}) });
      return this.made;
    });
    return this.clientPromise;
  }

  /** `-n`, else the kubeconfig context's namespace, else `default`. */
  async namespace(): Promise<string> {
    const ns = this.args.string('namespace');
    if (ns) return ns;
    return (await this.client()).namespace || 'default';
  }

  /** True when the user named a namespace with -n (apply refuses manifests from another one). */
  get explicitNamespace(): string | undefined {
    return this.args.string('namespace') || undefined;
  }

  /** `--dry-run`: none, client (nothing is sent) or server (sent with dryRun=All). */
  dryRun(): DryRun {
    const v = this.args.string('dry-run') ?? 'none';
    if (v === 'none' || v === 'client' || v === 'server') return v;
    throw new UsageError(`--dry-run must be none, client or server, not "${v}"`);
  }

  close(): void {
    this.made?.close();
  }
}
