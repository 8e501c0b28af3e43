// An in-memory stand-in for the runtime's streaming half (logs and exec), for tests of the
// kubelet API and of the API server's proxy. Containers are log buffers that can be appended
// to and ended; exec emulates a few commands: `echo`, `cat`, `exit N`, `sh -c 'a; b'` (with
// `>&2`), and an interactive `sh` that prompts and, under a tty, echoes what it reads.

import { PassThrough, type Readable, type Writable } from 'node:stream';
import { RuntimeError, type ExecOptions, type ExecSession, type LogOptions, type Runtime } from '../runtime/runtime.js';

interface FakeContainer {
  lines: { at: number; text: string }[];
  running: boolean;
  followers: Set<PassThrough>;
}

/** Splits a command line into words, honouring single and double quotes. */
export function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

interface Terminal {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Runs one statement list (`a; b; exit 3`); returns the last status, and whether `exit` ran. */
function runScript(script: string, term: Terminal): { code: number; exited: boolean } {
  let code = 0;
  for (const statement of script.split(';')) {
    const argv = words(statement);
    const toErr = argv[argv.length - 1] === '>&2';
    if (toErr) argv.pop();
    const [cmd, ...args] = argv;
    if (cmd === undefined) continue;
    if (cmd === 'exit') return { code: Number(args[0] ?? code) || 0, exited: true };
    if (cmd === 'echo') {
      (toErr ? term.err : term.out)(`${args.join(' ')}\n`);
      code = 0;
    } else if (cmd === 'true') code = 0;
    else if (cmd === 'false') code = 1;
    else {
      term.err(`sh: ${cmd}: not found\n`);
      code = 127;
    }
  }
  return { code, exited: false };
}

export class FakeStreamsRuntime implements Pick<Runtime, 'logs' | 'exec'> {
  /** Every exec, in order. */
  readonly execs: { id: string; command: string[]; tty: boolean }[] = [];
  /** Every tty resize, in order. */
  readonly resizes: { id: string; cols: number; rows: number }[] = [];
  private readonly containers = new Map<string, FakeContainer>();

  constructor(private readonly now: () => number = Date.now) {}

  addContainer(id: string, lines: string[] = []): void {
    const at = this.now();
    this.containers.set(id, { lines: lines.map((text) => ({ at, text })), running: true, followers: new Set() });
  }

  /** Appends a line to the container's log (followers see it at once). */
  log(id: string, text: string): void {
    const c = this.get(id);
    c.lines.push({ at: this.now(), text });
    for (const f of c.followers) f.write(`${text}\n`);
  }

  /** The container ends: following readers reach the end of the log. */
  stop(id: string): void {
    const c = this.get(id);
    c.running = false;
    for (const f of c.followers) f.end();
    c.followers.clear();
  }

  followers(id: string): number {
    return this.get(id).followers.size;
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `no such container: ${id}`);
    return c;
  }

  logs(id: string, opts: LogOptions): Promise<Readable> {
    const c = this.get(id);
    let lines = c.lines;
    if (opts.sinceSeconds !== undefined) {
      const from = this.now() - opts.sinceSeconds * 1000;
      lines = lines.filter((l) => l.at >= from);
    }
    if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    const out = new PassThrough();
    const stamp = (l: { at: number; text: string }): string => (opts.timestamps ? `${new Date(l.at).toISOString()} ${l.text}\n` : `${l.text}\n`);
    for (const l of lines) out.write(stamp(l));
    if (!opts.follow || !c.running) {
      out.end();
      return Promise.resolve(out);
    }
    const follower = new PassThrough();
    c.followers.add(follower);
    follower.on('data', (chunk: Buffer) => out.write(opts.timestamps ? `${new Date(this.now()).toISOString()} ${chunk.toString()}` : chunk));
    const leave = (): void => {
      c.followers.delete(follower);
      if (!out.writableEnded && !out.destroyed) out.end();
    };
    follower.on('end', leave);
    opts.signal?.addEventListener('abort', leave, { once: true });
    out.on('close', leave);
    return Promise.resolve(out);
  }

  exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    this.get(id);
    this.execs.push({ id, command: opts.command, tty: opts.tty });
    const nl = (s: string): string => (opts.tty ? s.replace(/\r?\n/g, '\r\n') : s);
    const write = (w: Writable | undefined, s: string): void => {
      if (w && !w.writableEnded) w.write(nl(s));
    };
    const term: Terminal = { out: (s) => write(opts.stdout, s), err: (s) => write(opts.tty ? opts.stdout : opts.stderr, s) };
    const exited = new Promise<number>((resolve) => {
      opts.signal?.addEventListener('abort', () => resolve(137), { once: true });
      const [cmd, ...args] = opts.command;
      if (cmd === 'sh' && args[0] === '-c') return resolve(runScript(args[1] ?? '', term).code);
      if (cmd === 'sh' && args.length === 0) return this.shell(opts, term, resolve);
      if (cmd === 'cat') {
        if (!opts.stdin) return resolve(0);
        opts.stdin.on('data', (c: Buffer) => term.out(c.toString()));
        opts.stdin.on('end', () => resolve(0));
        return;
      }
      resolve(runScript(opts.command.map((w) => (/\s/.test(w) ? `'${w}'` : w)).join(' '), term).code);
    });
    return Promise.resolve({
      resize: (cols: number, rows: number) => {
        this.resizes.push({ id, cols, rows });
        return Promise.resolve();
      },
      exited,
    });
  }

  /** An interactive shell: a prompt, line editing reduced to echo (under a tty), `exit` or EOF ends it. */
  private shell(opts: ExecOptions, term: Terminal, done: (code: number) => void): void {
    const prompt = (): void => term.out('$ ');
    let line = '';
    let afterCr = false;
    let finished = false;
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      done(code);
    };
    prompt();
    if (!opts.stdin) return finish(0);
    opts.stdin.on('data', (chunk: Buffer) => {
      for (const ch of chunk.toString()) {
        if (finished) return;
        if (ch === '\x04' && line === '') return finish(0);
        const skip = afterCr && ch === '\n'; // CR LF is one Enter
        afterCr = ch === '\r';
        if (skip) continue;
        if (ch !== '\r' && ch !== '\n') {
          line += ch;
          if (opts.tty) term.out(ch);
          continue;
        }
        if (opts.tty) term.out('\n');
        const r = runScript(line, term);
        line = '';
        if (r.exited) return finish(r.code);
        prompt();
      }
    });
    opts.stdin.on('end', () => finish(0));
  }
}
