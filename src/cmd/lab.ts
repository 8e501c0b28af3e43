// `minik8s lab up|down|status`: several simulated nodes on this one machine (src/lab/README.md).
// `npm run lab -- up --nodes 3` calls it through scripts/lab.sh.

import { parseArgs } from 'node:util';
import { labDown, labUp, readState } from '../lab/lab.js';
import { DEFAULT_BASE_DIR, DEFAULT_LAB_NAME } from '../lab/plan.js';

const HELP = `Usage: minik8s lab up [--nodes N] [--image IMG]... [--name NAME]
       minik8s lab down [--name NAME]
       minik8s lab status [--name NAME]

up      builds N simulated hosts (a network namespace, a dockerd and an agent each) joined to one
        control plane on this machine, loads the cluster's images and each --image from the host's
        engine into every node, waits until every node is Ready and prints the admin kubeconfig's
        path as its last line
down    removes everything up made: processes, engines, namespaces, links, routes, mounts, files
status  prints the lab's state (JSON) or exits 1 if there is none

Flags:
  --name NAME      the lab (default ${DEFAULT_LAB_NAME}); several labs may run at once
  --nodes N        how many nodes (default 3, at most 16)
  --image IMG      an image to load into every node (repeatable)
  --server-flag=F  an extra flag for minik8s server, e.g. --server-flag=--dns-upstream=127.0.0.1:5353 (repeatable)
  --agent-flag=F   an extra flag for every node's minik8s agent (repeatable)
  --base-dir DIR   where labs keep their files (default ${DEFAULT_BASE_DIR})
  --timeout S      how long up waits for the nodes (default 120)
`;

export async function runLab(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string', default: DEFAULT_LAB_NAME },
      nodes: { type: 'string', default: '3' },
      image: { type: 'string', multiple: true },
      'server-flag': { type: 'string', multiple: true },
      'agent-flag': { type: 'string', multiple: true },
      'base-dir': { type: 'string', default: DEFAULT_BASE_DIR },
      timeout: { type: 'string', default: '120' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub] = positionals;
  if (values.help || !sub) {
    process.stdout.write(HELP);
    return;
  }
  const log = (line: string): void => void process.stderr.write(`[lab] ${line}\n`);
  const baseDir = values['base-dir'];
  switch (sub) {
    case 'up': {
      const state = await labUp({
        name: values.name,
        nodes: Number(values.nodes),
        images: values.image ?? [],
        serverFlags: values['server-flag'] ?? [],
        agentFlags: values['agent-flag'] ?? [],
        baseDir,
        readyTimeoutMs: Number(values.timeout) * 1000,
        log,
      });
      for (const n of state.plan.nodes) process.stdout.write(`node ${n.name} ${n.ip} netns ${n.netns} engine ${n.dockerHost}\n`);
      process.stdout.write(`${state.kubeconfig ?? ''}\n`);
      return;
    }
    case 'down':
      if (!(await labDown({ name: values.name, baseDir, log }))) log(`no lab "${values.name}" under ${baseDir}`);
      return;
    case 'status': {
      const state = readState(values.name, baseDir);
      if (!state) {
        process.stderr.write(`no lab "${values.name}" under ${baseDir}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
      return;
    }
    default:
      process.stderr.write(`minik8s lab: unknown subcommand "${sub}"\n\n${HELP}`);
      process.exitCode = 2;
  }
}
