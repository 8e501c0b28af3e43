// One long-lived `nft -i` that runs the proxy's transactions. A fresh `nft -f` pays a process start and reads the
// table's chains and sets from the kernel every time (about 40 ms at 1,000 Services on the 2-core VM); nft keeps
// that cache between the commands of one interactive session and updates it with its own changes, so a one-Service
// transaction costs about 5 ms.
//
// The protocol, over a pipe (stdout and stderr merged, in order):
//   include "DIR/tx.nft"        the transaction: the whole file is one batch, applied entirely or not at all
//   describe meta mark          prints a fixed line without touching the kernel: the transaction has finished
// Anything printed before that line is nft's complaint about the transaction (with the file's line and column).
// Scripts go through a file, not the pipe, because nft's line editor reads its input one byte at a time.
//
// nft keeps every interactive line in its history (memory grows by a few hundred bytes a transaction), so the
// process is replaced after `maxTransactions`; HOME points at the session's own directory, where nft writes that
// history on exit, and the directory is removed on close.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SENTINEL = 'describe meta mark';
const SENTINEL_OUTPUT = 'meta expression, datatype mark (packet mark) (basetype integer), 32 bits\n';

export interface NftSessionOptions {
  /** The command that runs nft, before its own arguments (default `['nft']`; `['nsenter', '--net=…', 'nft']` for a netns). */
  command?: string[];
  /** Transactions before the process is replaced (default 500). */
  maxTransactions?: number;
  /** How long one transaction may take before the process is killed and the transaction fails (default 60 s). */
  timeoutMs?: number;
}

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class NftSession {
  private readonly command: string[];
  private readonly maxTransactions: number;
  private readonly timeoutMs: number;
  private dir: string | undefined;
  private child: ChildProcessWithoutNullStreams | undefined;
  private used = 0;
  private output = '';
  private pending: Pending | undefined;
  /** Transactions run one after another. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Processes started and transactions run, for tests and logs. */
  readonly stats = { processes: 0, transactions: 0 };

  constructor(opts: NftSessionOptions = {}) {
    this.command = opts.command ?? ['nft'];
    this.maxTransactions = opts.maxTransactions ?? 500;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** Runs `script` (nft -f syntax) as one transaction. */
  run(script: string): Promise<void> {
    const next = this.queue.then(() => this.transact(script));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The directory holding the transaction file (while a process runs). */
  get directory(): string | undefined {
    return this.dir;
  }

  /** Ends the nft process and removes the session's directory. Later calls to run() start a new process. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.closed = false;
  }

  private transact(script: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('nft session closed'));
    const child = this.ensureChild();
    const file = join(this.dir as string, 'tx.nft');
    writeFileSync(file, script, { mode: 0o600 });
    this.used++;
    this.stats.transactions++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`nft: no answer within ${this.timeoutMs} ms`));
        child.kill('SIGKILL');
      }, this.timeoutMs);
      this.pending = { resolve, reject, timer };
      this.output = '';
      child.stdin.write(`include "${file}"\n${SENTINEL}\n`);
    }).finally(() => {
      if (this.used >= this.maxTransactions) void this.stop();
    });
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    this.dir ??= mkdtempSync(join(tmpdir(), 'minik8s-nft-'));
    const [cmd, ...args] = this.command;
    // `exec … 2>&1` keeps nft's complaints and the sentinel's line in one stream, in the order nft wrote them.
    const child = spawn('sh', ['-c', 'exec "$@" -i 2>&1', 'sh', cmd as string, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, HOME: this.dir },
    });
    this.child = child;
    this.used = 0;
    this.stats.processes++;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.output += chunk;
      if (!this.output.endsWith(SENTINEL_OUTPUT)) return;
      const said = this.output.slice(0, -SENTINEL_OUTPUT.length).trim();
      this.output = '';
      if (/\bError\b/.test(said)) this.fail(new Error(`nft: ${said.slice(0, 2000)}`));
      else this.succeed();
    });
    child.stdin.on('error', () => undefined); // a dead process is reported by 'exit'
    child.once('error', (e) => this.gone(child, e));
    child.once('exit', (code, signal) => this.gone(child, new Error(`nft exited (${signal ?? String(code)}): ${this.output.trim().slice(0, 2000)}`)));
    return child;
  }

  private gone(child: ChildProcessWithoutNullStreams, e: Error): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.fail(e);
  }

  private succeed(): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    clearTimeout(p.timer);
    p.resolve();
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    clearTimeout(p.timer);
    p.reject(e);
  }

  private async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.stdin.end();
    await exited;
    clearTimeout(timer);
  }
}
