// `mkctl logs POD|KIND/NAME [CONTAINER] [-c C] [-f] [--tail N] [--since 5m] [--timestamps] [-p]`:
// GET the pod (container defaulting, `deploy/NAME` → its first pod), then GET pods/NAME/log and copy
// the text stream to stdout as it arrives. With -f the server ends the stream when the container
// exits; Ctrl-C ends it sooner (the default SIGINT handling: nothing to restore).

import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';
import { pickContainer, resolvePod } from '../exec/target.js';
import { parseDuration } from '../wait.js';

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const [ref, containerArg, ...extra] = a.positionals;
  if (ref === undefined) throw new UsageError('name the pod: mkctl logs POD [-c CONTAINER] (or KIND/NAME, e.g. deploy/web)');
  if (extra.length > 0) throw new UsageError(`expected POD [CONTAINER], got ${a.positionals.length} arguments`);
  if (containerArg !== undefined && a.string('container')) throw new UsageError('name the container either as an argument or with -c, not both');
  const tail = a.int('tail');
  const since = a.string('since');
  const sinceSeconds = since === undefined ? undefined : Math.max(1, Math.ceil(parseDuration(since) / 1000));

  const client = await ctx.client();
  const namespace = await ctx.namespace();
  const note = (line: string): void => ctx.io.err(line);
  const target = await resolvePod(client, ref, { namespace, note });
  const container = pickContainer(target.pod, { explicit: containerArg ?? a.string('container'), note });

  const res = await client.rest.stream({
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(target.name)}/log`,
    accept: 'text/plain, */*',
    query: {
      container,
      follow: a.bool('follow') || undefined,
      tailLines: tail !== undefined && tail >= 0 ? tail : undefined,
      sinceSeconds,
      previous: a.bool('previous') || undefined,
      timestamps: a.bool('timestamps') || undefined,
    },
  });
  await new Promise<void>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      // Wait for a slow reader (a pager) instead of buffering a long log in memory.
      if (!process.stdout.write(chunk)) {
        res.pause();
        process.stdout.once('drain', () => res.resume());
      }
    });
    res.once('end', resolve);
    res.once('close', resolve);
    res.once('error', reject);
  });
  return 0;
}
