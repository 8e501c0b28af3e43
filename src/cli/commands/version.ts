// `mkctl version [--client] [-o json|yaml]`. With --client nothing but this file and the version table
// load: it is the start-up benchmark's baseline.

import { VERSION_INFO } from '../../api/version.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const output = ctx.args.string('output');
  if (output !== undefined && output !== 'json' && output !== 'yaml') throw new UsageError(`--output must be json or yaml, not "${output}"`);
  const info: Record<string, unknown> = { clientVersion: VERSION_INFO };
  if (!ctx.args.bool('client')) {
    const client = await ctx.client();
    info['serverVersion'] = await client.rest.json<Record<string, unknown>>({ path: '/version', timeoutMs: 10000 });
  }
  if (output === 'json') ctx.io.out(`${JSON.stringify(info, null, 2)}\n`);
  else if (output === 'yaml') ctx.io.out((await import('yaml')).stringify(info));
  else {
    const server = info['serverVersion'] as { gitVersion?: unknown } | undefined;
    ctx.io.out(`Client Version: ${VERSION_INFO.gitVersion}\n${server ? `Server Version: ${String(server.gitVersion)}\n` : ''}`);
  }
  return 0;
}
