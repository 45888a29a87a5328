import pino from 'pino';

/**
 * Secrets never reach the log: credentials in headers, and any field that
 * looks like a password or token wherever it appears in a logged object.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.passwordHash',
  '*.token',
  '*.secret',
];

/**
 * Errors as pino's standard serializer writes them, without the live
 * objects some libraries hang on them: node-postgres puts the whole
 * connection on a pool error (its settings, type tables and the text of
 * every statement it prepared), a few kilobytes of noise per line.
 */
const dropped = ['client', 'connection', 'socket'];
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  const strip = (o: unknown) => {
    if (o && typeof o === 'object') for (const key of dropped) delete (o as Record<string, unknown>)[key];
  };
  strip(out);
  strip(out?.cause);
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, serializers: { err: serializeError } }, destination);
}
