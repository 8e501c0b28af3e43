// Runs the real `bin/mkctl` (as users do: a process, with KUBECONFIG in its environment) against a
// test API server, to completion or as a long-running watch whose lines the test reads.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './apiserver.js';
import { runToCompletion } from './run.js';

export const MKCTL = join(REPO_ROOT, 'bin/mkctl');

export interface MkctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface MkctlOptions {
  /** Set as KUBECONFIG (the way most users point mkctl at a cluster). */
  kubeconfig: string;
  stdin?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Kills mkctl and rejects after this long (default 20 s). */
  timeoutMs?: number;
}

function environment(opts: Pick<MkctlOptions, 'kubeconfig' | 'env'>): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: opts.kubeconfig, ...opts.env };
}

/** Runs `mkctl ARGS` to completion. Never rejects on a non-zero exit: tests assert on `code`. */
export function mkctl(args: readonly string[], opts: MkctlOptions): Promise<MkctlResult> {
  return runToCompletion(MKCTL, args, { label: `mkctl ${args.join(' ')}`, stdin: opts.stdin ?? '', timeoutMs: opts.timeoutMs ?? 20000, env: environment(opts), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
}

export interface MkctlProcess {
  readonly lines: readonly string[];
  /** Resolves with the first not-yet-consumed stdout line matching; rejects after `timeoutMs` (default 10 s). */
  waitForLine(match: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when mkctl exits by itself. */
  readonly exited: Promise<MkctlResult>;
  /** SIGTERM (then SIGKILL), by its PID, and wait for it to exit. */
  stop(): Promise<MkctlResult>;
}

/** Starts a long-running mkctl (`get -w`, `delete` that waits, `apply --wait`). */
export function mkctlProcess(args: readonly string[], opts: Omit<MkctlOptions, 'stdin' | 'timeoutMs'>): MkctlProcess {
  const child = spawn(MKCTL, args, { stdio: ['ignore', 'pipe', 'pipe'], env: environment(opts), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  const lines: string[] = [];
  let partial = '';
  let stdout = '';
  let stderr = '';
  let cursor = 0;
  let done: MkctlResult | undefined;
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    partial += c;
    let nl: number;
    while ((nl = partial.indexOf('\n')) !== -1) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    for (const w of [...waiters]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<MkctlResult>((resolve) => {
    child.once('close', (code, signal) => {
      done = { code: code ?? (signal ? 128 : -1), stdout, stderr };
      for (const w of [...waiters]) w();
      resolve(done);
    });
  });
  return {
    lines,
    exited,
    waitForLine(match, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          while (cursor < lines.length) {
            const line = lines[cursor++] as string;
            if (match.test(line)) {
              resolve(line);
              return true;
            }
          }
          if (done) {
            reject(
              new Error(
                `mkctl ${args.join(' ')} exited (${done.code}) before printing a line matching ${String(match)}; stdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            );
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `expected mkctl ${args.join(' ')} to print a line matching ${String(match)} within ${timeoutMs} ms; it printed:\n${stdout}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs);
        const waiter = (): void => {
          if (check()) {
            clearTimeout(timer);
            waiters.delete(waiter);
          }
        };
        waiters.add(waiter);
      });
    },
    async stop() {
      if (!done) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(t);
      }
      return exited;
    },
  };
}
