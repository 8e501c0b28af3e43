// The local terminal during `exec -it`: raw mode (keys go to the remote shell as typed, Ctrl-C
// included), the window size and its changes (SIGWINCH), and a restore that runs exactly once
// however the session ends: a normal exit, an error, or SIGTERM/SIGHUP to mkctl itself.

import type { ReadStream, WriteStream } from 'node:tty';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface RawTerminal {
  /** The current size, when stdout (or stderr) is a terminal that knows it. */
  size(): TerminalSize | undefined;
  /** Calls `fn` with the new size on every SIGWINCH, until restore(). */
  onResize(fn: (size: TerminalSize) => void): void;
  /** Leaves raw mode and removes the signal handlers (idempotent). */
  restore(): void;
}

function sizeOf(out: WriteStream | undefined): TerminalSize | undefined {
  if (!out?.isTTY) return undefined;
  const [cols, rows] = out.getWindowSize();
  return cols > 0 && rows > 0 ? { cols, rows } : undefined;
}

/** Puts stdin in raw mode (when `raw`) and watches the window size. Stdin must be a TTY. */
export function openTerminal(opts: { raw: boolean }): RawTerminal {
  const stdin = process.stdin as ReadStream;
  const sizeSource = (process.stdout.isTTY ? process.stdout : process.stderr.isTTY ? process.stderr : undefined) as WriteStream | undefined;
  const wasRaw = stdin.isRaw;
  if (opts.raw) stdin.setRawMode(true);
  const resizers: ((size: TerminalSize) => void)[] = [];
  const onWinch = (): void => {
    const size = sizeOf(sizeSource);
    if (size) for (const fn of resizers) fn(size);
  };
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    process.off('SIGWINCH', onWinch);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('exit', restore);
    if (opts.raw) stdin.setRawMode(wasRaw);
  };
  // Killed while raw: put the terminal back before going, with the usual 128+signal status.
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    process.exit(signal === 'SIGHUP' ? 129 : 143);
  };
  process.on('SIGWINCH', onWinch);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', restore);
  return {
    size: () => sizeOf(sizeSource),
    onResize: (fn) => void resizers.push(fn),
    restore,
  };
}
