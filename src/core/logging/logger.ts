/**
 * A tagged logger that cannot print a secret.
 *
 * Log lines carry a component tag (`[auth-server] listening on …`). Every message and field
 * passes through `redact`, which masks anything shaped like a token (JWTs, long opaque
 * strings, Basic/Bearer credentials) and any field whose name says it holds one.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(component: string): Logger;
}

export type LogSink = (line: string) => void;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /token|secret|password|pass$|authorization|cookie|key|code_verifier|assertion/i;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const AUTH_HEADER = /\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+/gi;
const URL_CREDENTIALS = /(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g;
// Long runs of token alphabet (refresh tokens, opaque access tokens, secrets) are masked too.
const OPAQUE = /[A-Za-z0-9._~+/=-]{40,}/g;

// A file path whose segments are each short is what the user must act on, not a token.
const READABLE_PATH = /^(\/[^/]{1,39})+\/?$/;

export function redact(text: string): string {
  return text
    .replace(JWT, '[redacted-jwt]')
    .replace(AUTH_HEADER, '$1 [redacted]')
    .replace(URL_CREDENTIALS, '$1[redacted]@')
    .replace(OPAQUE, (run) => (READABLE_PATH.test(run) ? run : '[redacted]'));
}

/** Redacts a field value at any depth (headers objects, arrays, errors), cycle-safe. */
function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const out: LogFields = {};
  for (const [name, inner] of Object.entries(value)) out[name] = SECRET_FIELD.test(name) ? '[redacted]' : redactValue(inner, seen);
  return out;
}

function redactFields(fields: LogFields): LogFields {
  return redactValue(fields, new WeakSet()) as LogFields;
}

export function createLogger(options: { sink?: LogSink; level?: LogLevel; component?: string } = {}): Logger {
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threshold = LEVEL_ORDER[options.level ?? 'info'];
  const make = (component: string | undefined): Logger => {
    const write = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (LEVEL_ORDER[level] < threshold) return;
      const tag = component ? `[${component}] ` : '';
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(redactFields(fields))}` : '';
      sink(`${new Date().toISOString()} ${level.toUpperCase()} ${tag}${redact(message)}${extra}`);
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (name) => make(component ? `${component}:${name}` : name),
    };
  };
  return make(options.component);
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ sink: () => undefined, level: 'error' });
