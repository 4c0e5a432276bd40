import { CLIENT_APP_ID, type LinkInitRequest } from '@oflink/protocol';
import { z } from 'zod';

/**
 * The body of `POST /v2/link/init`, exactly as `link-init.openapi.yaml` describes it
 * (deprecated `mode`, `options`, `origin` are accepted; unknown keys are ignored).
 * @example initRequestSchema.safeParse({ clientAppId: 'app_demo' }).success // true
 */
export const initRequestSchema = z.object({
  clientAppId: z.string().regex(CLIENT_APP_ID, 'clientAppId must match ^app_[a-zA-Z0-9]+$').optional(),
  mode: z.enum(['redirect', 'embed', 'hosted', 'whitelabel']).optional(),
  options: z.object({ returnRawSession: z.boolean().optional() }).optional(),
  redirectUrl: z.url().optional(),
  origin: z.url().optional(),
  clientReferenceId: z.string().optional(),
  connectionId: z.string().optional(),
  geolocation: z
    .object({ country: z.string(), state: z.string().optional(), city: z.string().optional() })
    .optional(),
}) satisfies z.ZodType<LinkInitRequest>;

/** A validated `POST /v2/link/init` body. */
export type InitRequest = z.infer<typeof initRequestSchema>;

/**
 * Parse a raw request body; returns the request or a one-line error for a 400.
 * @example parseInitRequest('{"geolocation":{}}') // { ok: false, error: 'geolocation.country: …' }
 */
export function parseInitRequest(
  raw: string,
): { ok: true; value: InitRequest } | { ok: false; error: string } {
  let json: unknown = {};
  if (raw.trim() !== '') {
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false, error: 'Invalid request: body is not valid JSON' };
    }
  }
  const parsed = initRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: `Invalid request: ${where}${issue?.message ?? 'invalid body'}` };
  }
  return { ok: true, value: parsed.data };
}
