// Resource usage of another process, read by PID from /proc: resident memory from
// /proc/PID/status and CPU time (user + system) from /proc/PID/stat.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for the times in /proc/PID/stat (almost always 100). */
const CLK_TCK = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

export interface Memory {
  /** Resident set size now, in MiB. */
  rssMiB: number;
  /** Peak resident set size since the process started, in MiB. */
  hwmMiB: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]);
  };
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

/** User + system CPU time the process has used so far, in milliseconds. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces; fields 14 and 15 follow it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Measures the CPU the given processes use between construction and `stop()`. */
export class CpuMeter {
  private readonly start: number[];
  private readonly t0 = performance.now();

  constructor(private readonly pids: number[]) {
    this.start = pids.map(cpuMsOf);
  }

  /** CPU milliseconds used per process, and the wall time elapsed. */
  stop(): { cpuMs: number[]; wallMs: number } {
    return { cpuMs: this.pids.map((p, i) => cpuMsOf(p) - (this.start[i] ?? 0)), wallMs: performance.now() - this.t0 };
  }
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * The PID of the running `binary` whose command line holds `args` consecutively: for a process a
 * helper started without handing out its PID (startEtcd), told apart by a unique argument.
 */
export function findPid(binary: string, args: string[]): number {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (argv[0] !== binary) continue;
    const at = argv.indexOf(args[0] ?? '');
    if (at >= 0 && args.every((a, i) => argv[at + i] === a)) found.push(Number(entry));
  }
  if (found.length !== 1) throw new Error(`expected one ${binary} process with ${args.join(' ')}, found ${found.length}`);
  return found[0] as number;
}

/** CPU time the whole machine has spent busy (all CPUs, from /proc/stat), in milliseconds. */
export function machineBusyMs(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
  const busy = fields.slice(0, 8).reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0);
  return (busy * 1000) / CLK_TCK;
}

/**
 * CPU used by everything except the listed processes and this one (other engineers' tests, say),
 * as an average number of busy CPUs between construction and `stop()`.
 */
export class OtherLoadMeter {
  private readonly machine0 = machineBusyMs();
  private readonly self0 = process.cpuUsage();
  private readonly ours: CpuMeter;

  constructor(pids: number[]) {
    this.ours = new CpuMeter(pids);
  }

  stop(): number {
    const machine = machineBusyMs() - this.machine0;
    const self = process.cpuUsage(this.self0);
    const ours = this.ours.stop();
    const own = (self.user + self.system) / 1000 + ours.cpuMs.reduce((a, b) => a + b, 0);
    return Math.max(0, machine - own) / ours.wallMs;
  }
}
