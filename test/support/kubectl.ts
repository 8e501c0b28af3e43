// Runs the real kubectl against a test API server. Each server gets its own discovery cache
// (next to its kubeconfig, so it disappears with the server's temp dir): kubectl caches
// discovery per host:port, and a cache left by an earlier server on a reused port would make
// kubectl believe in resources that server never had.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { runToCompletion } from './run.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  kubeconfig: string;
  /** Discovery/OpenAPI cache; defaults to `kubectl-cache/` beside the kubeconfig (one per server). */
  cacheDir?: string;
  /** Written to kubectl's stdin (for `-f -`). */
  stdin?: string;
  /** Kills kubectl and rejects after this long (default 20 s). */
  timeoutMs?: number;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let found: string | undefined;

/**
 * The kubectl binary: $KUBECTL, else `kubectl` on PATH (`npm test` puts `.tools` first there).
 * Throws when there is none: these suites fail rather than skip without their dependency.
 */
export function findKubectl(): string {
  if (found) return found;
  const fromEnv = process.env['KUBECTL'];
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) throw new Error(`KUBECTL=${fromEnv} is not an executable file`);
    return (found = fromEnv);
  }
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = join(dir, 'kubectl');
    if (isExecutableFile(candidate)) return (found = candidate);
  }
  throw new Error(
    `kubectl not found: set KUBECTL to its path or put it on PATH (scripts/setup.sh --test installs it into .tools/). Searched: ${dirs.join(', ') || '(PATH is empty)'}`,
  );
}

function baseArgs(opts: KubectlOptions): string[] {
  return ['--kubeconfig', opts.kubeconfig, '--cache-dir', opts.cacheDir ?? join(dirname(opts.kubeconfig), 'kubectl-cache')];
}

function describeCommand(args: string[]): string {
  return `kubectl ${args.join(' ')}`;
}

/** Runs `kubectl ARGS` to completion. Never rejects on a non-zero exit: tests assert on `code`. */
export function kubectl(args: string[], opts: KubectlOptions): Promise<KubectlResult> {
  return runToCompletion(findKubectl(), [...baseArgs(opts), ...args], { label: describeCommand(args), stdin: opts.stdin ?? '', timeoutMs: opts.timeoutMs ?? 20000 });
}

export interface KubectlWatch {
  /** Every complete stdout line so far. */
  readonly lines: readonly string[];
  /**
   * Resolves with the first line, after those already returned by earlier calls, that matches;
   * lines passed over are consumed too. Rejects after `timeoutMs` (default 5 s) listing what was seen.
   */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Kills kubectl (by its PID) and waits for it to exit. */
  stop(): Promise<KubectlResult>;
}

/** Spawns a long-running kubectl (`get -w ...`) whose output the test reads line by line. */
export function kubectlWatch(args: string[], opts: Omit<KubectlOptions, 'stdin' | 'timeoutMs'>): KubectlWatch {
  const bin = findKubectl();
  const child: ChildProcess = spawn(bin, [...baseArgs(opts), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stdout = '';
  let stderr = '';
  let cursor = 0;
  let exited: KubectlResult | undefined;
  let spawnError: Error | undefined;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    partial += c;
    let nl: number;
    while ((nl = partial.indexOf('\n')) !== -1) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exitPromise = new Promise<KubectlResult>((resolve) => {
    child.once('error', (e) => {
      spawnError = e;
      exited = { code: -1, stdout, stderr: `${stderr}${e.message}` };
      wake();
      resolve(exited);
    });
    child.once('close', (code, signal) => {
      exited = { code: code ?? (signal ? 128 : -1), stdout, stderr };
      wake();
      resolve(exited);
    });
  });

  const test = (match: RegExp | ((line: string) => boolean), line: string): boolean => (typeof match === 'function' ? match(line) : match.test(line));

  return {
    lines,
    waitForLine(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          while (cursor < lines.length) {
            const line = lines[cursor++] as string;
            if (test(match, line)) {
              resolve(line);
              return true;
            }
          }
          if (exited) {
            reject(new Error(`${describeCommand(args)} exited (code ${exited.code}${spawnError ? `, ${spawnError.message}` : ''}) before printing a line matching ${String(match)}; stdout:\n${stdout}\nstderr:\n${stderr}`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const waiter = (): void => {
          if (check()) done();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`expected ${describeCommand(args)} to print a line matching ${String(match)} within ${timeoutMs} ms; it printed:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
      });
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exitPromise;
        clearTimeout(t);
      }
      return exitPromise;
    },
  };
}

/** Splits kubectl's table output into header names and rows (cells are separated by 2+ spaces). */
export function parseTable(out: string): { headers: string[]; rows: string[][] } {
  const [head, ...rest] = out.split('\n').filter((l) => l.trim() !== '');
  const split = (l: string): string[] => l.trim().split(/ {2,}/);
  return { headers: head === undefined ? [] : split(head), rows: rest.map(split) };
}
