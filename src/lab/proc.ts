// Processes for the lab: commands run to completion, and daemons started detached (their own
// session, output to a log file, a pid file) so they outlive `lab up`. Liveness is read from
// /proc/PID/stat, where a zombie (exited, not yet reaped by PID 1) counts as gone.

import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Runs a command; rejects with its stderr on a non-zero exit. */
export async function sh(cmd: string, args: readonly string[], opts: { input?: string } = {}): Promise<string> {
  if (opts.input === undefined) return (await execFileP(cmd, args, { maxBuffer: 64 << 20 })).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(opts.input);
  });
}

/** Like sh, but a failure is only returned (for clean-up, where "already gone" is fine). */
export async function trySh(cmd: string, args: readonly string[]): Promise<string | undefined> {
  try {
    return await sh(cmd, args);
  } catch {
    return undefined;
  }
}

export function startDetached(cmd: string, args: readonly string[], opts: { log: string; pidFile: string; env?: NodeJS.ProcessEnv }): number {
  const fd = openSync(opts.log, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], ...(opts.env ? { env: opts.env } : {}) });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopPid(pid: number, graceMs = 15_000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const end = Date.now() + graceMs;
  while (alive(pid)) {
    if (Date.now() > end) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
      return;
    }
    await sleep(50);
  }
}

/** The last lines of a log file, for error messages. */
export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
