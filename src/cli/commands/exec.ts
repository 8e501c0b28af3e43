// `mkctl exec [-i] [-t] POD|KIND/NAME [-c CONTAINER] -- COMMAND [ARGS...]`: GET the pod (container
// defaulting, completed pods refused), then one WebSocket session (exec/session.ts). With -t and a
// terminal on stdin, the terminal is raw for the session and restored however it ends. The exit
// code is the remote command's, with kubectl's `command terminated with exit code N` on stderr.

import { UsageError } from '../args.js';
import { CliError, type CommandContext } from '../context.js';
import { pickContainer, resolvePod } from '../exec/target.js';
import type { RawTerminal } from '../exec/terminal.js';
import { isObject } from '../../api/meta.js';

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const [ref, ...extra] = a.positionals;
  if (ref === undefined) throw new UsageError('name the pod: mkctl exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS...]');
  if (extra.length > 0) throw new UsageError(`put the command after --: mkctl exec ${ref} -- ${extra.join(' ')}`);
  const command = a.rest;
  if (command.length === 0) throw new UsageError('you must specify at least one command for the container (after --)');
  const quiet = a.bool('quiet');
  const wantStdin = a.bool('stdin');
  // As kubectl: a tty needs stdin, and stdin that is a terminal; otherwise carry on without one.
  let tty = a.bool('tty') && wantStdin;
  if (tty && process.stdin.isTTY !== true) {
    tty = false;
    if (!quiet) ctx.io.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
  }

  // Raw from the start, so keys typed while connecting reach the remote shell instead of echoing here.
  const terminal: RawTerminal | undefined = tty ? (await import('../exec/terminal.js')).openTerminal({ raw: true }) : undefined;
  let outcome;
  try {
    const client = await ctx.client();
    const namespace = await ctx.namespace();
    const note = (line: string): void => {
      if (!quiet) ctx.io.err(line);
    };
    const target = await resolvePod(client, ref, { namespace, note });
    const phase = isObject(target.pod.status) ? target.pod.status['phase'] : undefined;
    if (phase === 'Succeeded' || phase === 'Failed') throw new CliError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    const container = pickContainer(target.pod, { explicit: a.string('container'), firstOtherwise: true, note });
    const { runSession } = await import('../exec/session.js');
    outcome = await runSession(
      client.rest.conn,
      { namespace, pod: target.name, container, command, stdin: wantStdin, tty },
      { ...(wantStdin ? { stdin: process.stdin } : {}), stdout: process.stdout, stderr: process.stderr, ...(terminal ? { terminal } : {}) },
    );
  } finally {
    terminal?.restore();
    // The remote side may end before our stdin does (`yes | mkctl exec -i P -- head -1`): an open stdin
    // would keep mkctl alive, so let go of it (after the terminal is restored: that needs the handle).
    if (wantStdin) process.stdin.destroy();
  }
  if ('error' in outcome) throw new CliError(outcome.error);
  if (outcome.exitCode !== 0 && !quiet) ctx.io.err(`command terminated with exit code ${outcome.exitCode}\n`);
  return outcome.exitCode;
}
