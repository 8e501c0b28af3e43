// `minik8s images bootstrap`: build the local images the cluster needs offline (see agent/images.ts).

import { parseArgs } from 'node:util';
import { bootstrapImages } from '../agent/images.js';
import { DEFAULT_SOCKET_PATH, socketPathFromDockerHost } from '../agent/runtime/docker/index.js';

const HELP = `Usage: minik8s images bootstrap [flags]

Builds minik8s/pause:1, busybox:1.36 and busybox:latest from Debian's busybox-static and imports them
into the engine. Images already present are left alone.

Flags:
  --docker-host URL     the engine (default unix://${DEFAULT_SOCKET_PATH})
  --busybox PATH        a statically linked busybox (default /bin/busybox, from busybox-static)
  --force               rebuild images that are already present
`;

export async function runImages(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'docker-host': { type: 'string', default: `unix://${DEFAULT_SOCKET_PATH}` },
      busybox: { type: 'string', default: '/bin/busybox' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length !== 1 || positionals[0] !== 'bootstrap') {
    process.stderr.write(`minik8s images: expected the subcommand "bootstrap"\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const { built, present } = await bootstrapImages({
    socketPath: socketPathFromDockerHost(values['docker-host']),
    busyboxPath: values.busybox,
    force: values.force,
    log: (line) => process.stderr.write(`[images] ${line}\n`),
  });
  for (const ref of built) process.stdout.write(`built ${ref}\n`);
  for (const ref of present) process.stdout.write(`present ${ref}\n`);
}
