import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, errorStatus } from '../errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; requestId: string };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, err: AppError) {
  if (err.headers) reply.headers(err.headers);
  const body: ErrorBody = { error: { code: err.code, message: err.message, requestId: request.id } };
  if (err.details !== undefined) body.error.details = err.details;
  return reply.code(err.status).type('application/json; charset=utf-8').send(body);
}

/** Errors Fastify raises itself, by their code, mapped onto ours. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
};

const friendly: Partial<Record<ErrorCode, string>> = {
  PAYLOAD_TOO_LARGE: 'Request body is larger than allowed',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported content type',
  INVALID_JSON: 'Request body is not valid JSON',
  RATE_LIMITED: 'Too many requests',
};

/** Turns anything thrown anywhere into `{error: {code, message, details?, requestId}}`. */
export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const details = err.validation.map((v) => {
      const path = v.instancePath.split('/').filter(Boolean);
      return { field: [where, ...path].join('.'), message: v.message ?? 'invalid' };
    });
    return new AppError('VALIDATION_FAILED', 'Request is not valid', details);
  }
  const fe = err as Partial<FastifyError>;
  // Two transactions locked the same rows in opposite orders (or a serialisable one lost): nothing was
  // written, and the same request again succeeds. Say so instead of a 500.
  const pgCode = (err as { code?: unknown } | null)?.code;
  if (pgCode === '40P01' || pgCode === '40001') {
    return new AppError('UNAVAILABLE', 'The server was busy with a conflicting change; nothing was saved, please retry', undefined, { 'retry-after': '1' });
  }
  if (fe && typeof fe === 'object') {
    if (fe.code && fastifyCodes[fe.code]) {
      const code = fastifyCodes[fe.code]!;
      return new AppError(code, friendly[code] ?? fe.message ?? code);
    }
    // JSON.parse failures surface as a SyntaxError with a 400 status.
    if (err instanceof SyntaxError && fe.statusCode === 400) return new AppError('INVALID_JSON', friendly.INVALID_JSON!);
    if (fe.statusCode === 429) return new AppError('RATE_LIMITED', friendly.RATE_LIMITED!);
    if (fe.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', friendly.PAYLOAD_TOO_LARGE!);
    if (fe.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', friendly.UNSUPPORTED_MEDIA_TYPE!);
    if (fe.statusCode === 404) return new AppError('NOT_FOUND', 'Not found');
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 && !isResponseSerializationError(err)) {
      return new AppError('BAD_REQUEST', fe.message ?? 'Bad request');
    }
  }
  return null;
}

export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err, request, reply) => {
    let known: AppError | null;
    try {
      known = toAppError(err);
    } catch (mappingError) {
      // Never let the mapping itself produce a body in another shape.
      request.log.error({ err: mappingError }, 'error mapping failed');
      known = null;
    }
    if (known) {
      if (known.status >= 500) request.log.error({ err }, 'request failed');
      return sendError(reply, request, known);
    }
    // The stack goes to the log with the request id; the client learns nothing internal.
    request.log.error({ err }, 'unexpected error');
    return sendError(reply, request, new AppError('INTERNAL', 'Internal server error'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, new AppError('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`)),
  );
}

export { errorStatus };
