// `mkctl help [COMMAND]` and `mkctl COMMAND --help`, both rendered from the command table.

import { flagHelp, UsageError } from '../args.js';
import type { CommandContext, CommandTable } from '../context.js';

const GROUPS = [
  ['basic', 'Basic commands'],
  ['modify', 'Changing objects'],
  ['cluster', 'Cluster and configuration'],
  ['other', 'Other'],
] as const;

export function overview(commands: CommandTable): string {
  const visible = Object.entries(commands).filter(([, c]) => !c.hidden);
  const width = Math.max(...visible.map(([n]) => n.length)) + 3;
  const sections = GROUPS.map(([group, title]) => {
    const lines = visible.filter(([, c]) => c.group === group).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`);
    return `${title}:\n${lines.join('\n')}\n`;
  });
  return [
    'mkctl controls a MiniK8s (or any Kubernetes-compatible) cluster, the way kubectl does.\n',
    ...sections,
    'Global flags (before or after the command):\n      --kubeconfig=PATH   the kubeconfig (default: $KUBECONFIG, ~/.kube/config, /var/lib/minik8s/admin.kubeconfig)\n      --context=NAME      a kubeconfig context other than the current one\n  -n, --namespace=NS      the namespace (default: the context\'s, else "default")\n',
    "Usage: mkctl COMMAND [flags]. Run 'mkctl COMMAND --help' for a command's flags.\n",
  ].join('\n');
}

export function commandHelp(name: string, commands: CommandTable): string {
  const c = commands[name];
  if (!c) throw new UsageError(`unknown command "${name}"`);
  const flags = Object.keys(c.flags).length ? `\nFlags:\n${flagHelp(c.flags)}\n` : '';
  const examples = c.examples?.length ? `\nExamples:\n${c.examples.map((e) => `  ${e}`).join('\n')}\n` : '';
  return `${c.summary[0]?.toUpperCase() ?? ''}${c.summary.slice(1)}.\n\nUsage:\n  ${c.usage}\n${examples}${flags}\nGlobal flags: --kubeconfig, --context, -n/--namespace (see 'mkctl help').\n`;
}

export function run(ctx: CommandContext): Promise<number> {
  const [name] = ctx.args.positionals;
  ctx.io.out(name ? commandHelp(name, ctx.commands) : overview(ctx.commands));
  return Promise.resolve(0);
}
