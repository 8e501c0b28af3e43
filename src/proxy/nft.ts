// The side effects: `nft` and `ip`, behind a narrow interface so the proxier can be driven against a network
// namespace (tests, benchmarks) or the node's own. Applier keeps the last ruleset the kernel accepted and sends
// only the difference; any failure makes the next sync a full one.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NftSession } from './nftsession.js';
import { renderFull, renderIncremental } from './render.js';
import type { Ruleset } from './ruleset.js';

const run = promisify(execFile);

export interface PacketFilter {
  /** Runs one `nft -f` transaction. */
  nft(script: string): Promise<void>;
  /** Runs `ip ARGS`, returning stdout. */
  ip(args: string[]): Promise<string>;
}

/** A packet filter its owner must close (it keeps an `nft` process). */
export interface HostPacketFilter extends PacketFilter {
  close(): Promise<void>;
}

/**
 * The real thing, optionally inside a named network namespace: transactions go to one long-lived `nft -i`
 * (nftsession.ts), started through `nsenter --net=/run/netns/NS` for a namespace; `ip` runs as `ip -n NS`.
 */
export function hostPacketFilter(opts: { netns?: string } = {}): HostPacketFilter {
  const session = new NftSession({ command: opts.netns ? ['nsenter', `--net=/run/netns/${opts.netns}`, 'nft'] : ['nft'] });
  return {
    nft: (script) => session.run(script),
    ip: async (args) => (await run('ip', [...(opts.netns ? ['-n', opts.netns] : []), ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout,
    close: () => session.close(),
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
