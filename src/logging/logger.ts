import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths pino replaces with "[redacted]" wherever they appear in a log object. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'apiKey',
  'secret',
  'key',
  'masterKey',
  'creds',
  'authState',
  'text',
  'body',
];

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'wafleet' },
  };
  const pretty = process.stdout.isTTY && !destination && process.env.NODE_ENV !== 'test';
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } });
  }
  return destination ? pino(options, destination) : pino(options);
}
