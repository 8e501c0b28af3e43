// The multicall entry: `minik8s <component> [flags]`. Components load lazily so each
// command pays only for what it runs.

const COMMANDS: Record<string, { summary: string; run: () => Promise<(argv: string[]) => Promise<void>> }> = {
  server: { summary: 'run every control-plane component in one process', run: async () => (await import('./server.js')).runServer },
  apiserver: { summary: 'run the API server alone', run: async () => (await import('./apiserver.js')).runApiServer },
  agent: { summary: 'run the node agent: pods of this node on Docker (--server, --token)', run: async () => (await import('./agent.js')).runAgent },
  'controller-manager': {
    summary: 'run the controllers alone (--kubeconfig, --controllers)',
    run: async () => (await import('./controllermanager.js')).runControllerManager,
  },
  scheduler: { summary: 'run the scheduler alone (--kubeconfig, --policy)', run: async () => (await import('./scheduler.js')).runScheduler },
  images: { summary: 'build the local images the cluster needs (images bootstrap)', run: async () => (await import('./images.js')).runImages },
  dns: { summary: 'run the cluster DNS server alone (--kubeconfig, --dns-port)', run: async () => (await import('./dns.js')).runDns },
  proxy: { summary: 'run the service proxy alone: nftables for Services (--kubeconfig; --cleanup)', run: async () => (await import('./proxy.js')).runProxy },
  lab: { summary: 'several simulated nodes on this machine (lab up --nodes N, lab down)', run: async () => (await import('./lab.js')).runLab },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(20)}${c.summary}`);
  return `Usage: minik8s <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\nRun 'minik8s <command> --help' for a command's flags.\n`;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`minik8s: unknown command "${name}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  await (await cmd.run())(rest);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`minik8s: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
