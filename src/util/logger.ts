// The smallest logger the machinery needs: a message plus structured fields. Components receive one;
// cmd/ decides where lines go.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function render(level: LogLevel, msg: string, fields: LogFields | undefined): string {
  const parts = [level.toUpperCase(), msg];
  for (const [k, v] of Object.entries(fields ?? {})) {
    const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${k}=${s !== undefined && /[\s"=]/.test(s) ? JSON.stringify(s) : String(s)}`);
  }
  return parts.join(' ');
}

/** key=value lines on stderr. */
export const consoleLogger: Logger = {
  debug: (msg, fields) => console.error(render('debug', msg, fields)),
  info: (msg, fields) => console.error(render('info', msg, fields)),
  warn: (msg, fields) => console.error(render('warn', msg, fields)),
  error: (msg, fields) => console.error(render('error', msg, fields)),
};

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface LogEntry {
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/** Keeps entries in memory, for tests that assert on what was logged. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'debug', msg, fields: fields ?? {} });
  }
  info(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'info', msg, fields: fields ?? {} });
  }
  warn(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'warn', msg, fields: fields ?? {} });
  }
  error(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'error', msg, fields: fields ?? {} });
  }
}
