// The side effects: `nft` and `ip`, behind a narrow interface so the proxier can be driven against a network
// namespace (tests, benchmarks) or the node's own. Applier keeps the last ruleset the kernel accepted and sends
// only the difference; any failure makes the next sync a full one.

import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { renderFull, renderIncremental } from './render.js';
import type { Ruleset } from './ruleset.js';

const run = promisify(execFile);

export interface PacketFilter {
  /** Runs one `nft -f` transaction. */
  nft(script: string): Promise<void>;
  /** Runs `ip ARGS`, returning stdout. */
  ip(args: string[]): Promise<string>;
}

/** The real thing, optionally inside a named network namespace (`ip netns exec NS ...`). */
export function hostPacketFilter(opts: { netns?: string } = {}): PacketFilter {
  const wrap = (cmd: string, args: string[]): [string, string[]] => (opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, args]);
  return {
    nft: (script) =>
      new Promise<void>((resolve, reject) => {
        const [cmd, args] = wrap('nft', ['-f', '-']);
        const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nft -f failed (${String(code)}): ${err.trim().slice(0, 2000)}`))));
        child.stdin.end(script);
      }),
    ip: async (args) => {
      const [cmd, full] = wrap('ip', args);
      return (await run(cmd, full, { maxBuffer: 64 * 1024 * 1024 })).stdout;
    },
  };
}

export interface ApplyResult {
  full: boolean;
  /** Lines sent to nft (0: nothing changed, nothing sent). */
  lines: number;
  ms: number;
}

export class Applier {
  private last: Ruleset | undefined;

  constructor(private readonly filter: PacketFilter) {}

  async apply(next: Ruleset, opts: { forceFull?: boolean } = {}): Promise<ApplyResult> {
    const started = performance.now();
    const inc = this.last && !opts.forceFull ? renderIncremental(this.last, next) : undefined;
    const script = inc ?? renderFull(next);
    const full = inc === undefined;
    if (script !== '') {
      try {
        await this.filter.nft(script);
      } catch (e) {
        this.last = undefined;
        throw e;
      }
    }
    this.last = next;
    return { full, lines: script === '' ? 0 : script.split('\n').length - 1, ms: performance.now() - started };
  }

  /** Forget what was applied: the next apply replaces the table. */
  reset(): void {
    this.last = undefined;
  }
}

/** Removes the proxy's table (no error if it is not there). */
export async function deleteTable(filter: PacketFilter, table: string): Promise<void> {
  await filter.nft(`add table ip ${table}\ndelete table ip ${table}\n`);
}
