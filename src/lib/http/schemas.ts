import { z } from 'zod';

/** Shared request/response pieces, so every route speaks the same dialect. */
export const phoneSchema = z.string().regex(/^1[3-9]\d{9}$/, { message: 'expected an 11-digit mainland mobile number' });
export const passwordInput = z.string().min(1, { message: 'required' }).max(128);
export const idParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
export const clientKind = z
  .enum(['web', 'api'])
  .default('web')
  .describe('web: session in an httpOnly cookie; api: bearer token in the response body');
export const pageLimit = z.coerce.number().int().min(1).max(200).default(50);
export const cursorParam = z.coerce.number().int().positive().optional().describe('nextCursor of the previous page');
export const isoDate = z.iso.datetime({ offset: true });

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
});

export const sessionOut = z.object({
  expiresAt: z.string(),
  token: z.string().optional().describe('only for client=api: send as Authorization: Bearer <token>'),
});
