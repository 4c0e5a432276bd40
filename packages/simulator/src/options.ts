import { CLIENT_APP_ID } from '@oflink/protocol';
import { z } from 'zod';

// The simulator's options, faults and their TypeScript types: each is declared once, as a zod
// schema, and the types are derived from it. The same schemas check startSimulator's argument, the
// admin endpoint's PATCH /options and POST /faults, and the fault header.

const times = z.number().int().min(1).optional();

/** Zod schema of a {@link Fault}. */
export const faultSchema = z.discriminatedUnion('type', [
  /** Wait `ms` before answering. */
  z.object({ type: z.literal('latency'), ms: z.number().int().min(0).max(120_000), times }),
  /** Answer `status` with `body` (default `{error}`) and `headers`. */
  z.object({
    type: z.literal('status'),
    status: z.number().int().min(100).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    times,
  }),
  /** Destroy the socket without an answer. */
  z.object({ type: z.literal('reset'), times }),
  /** Answer 200 with a body cut in the middle of its JSON. */
  z.object({ type: z.literal('malformed'), times }),
  /** Answer 429 with `Retry-After` and the rate-limit headers. */
  z.object({ type: z.literal('rate-limit'), retryAfter: z.number().int().min(0), times }),
  /** Send the headers, then the body `ms` later. */
  z.object({ type: z.literal('slow-body'), ms: z.number().int().min(0).max(120_000), times }),
]);

/** A fault applied to the next `times` (default 1) `/v2` API requests. */
export type Fault = z.infer<typeof faultSchema>;

/** Zod schema of a {@link SimulatorApp}. */
export const appSchema = z
  .object({
    /** Client app id, `app_…`. */
    id: z.string().regex(CLIENT_APP_ID),
    /** Allowed redirect URIs; a trailing `:*` port wildcard is allowed (`http://localhost:*`). Default: any localhost/127.0.0.1. */
    redirectUris: z.array(z.string()).optional(),
    /** Allowed embed origins (frame-ancestors); `:*` port wildcard allowed. Default: any localhost/127.0.0.1. */
    allowedOrigins: z.array(z.string()).optional(),
    /** Redirect URI used when a request omits `redirectUrl`. */
    defaultRedirectUri: z.string().optional(),
  })
  .strict();

/** One client app the simulator serves. */
export type SimulatorApp = z.infer<typeof appSchema>;

/** The options that can change while the simulator runs (`configure`, `PATCH /__simulator/options`). */
export const runtimeOptionsSchema = z
  .object({
    /** Accepted API keys. @defaultValue ['sk_sandbox_simulator'] */
    apiKeys: z.array(z.string().min(1)).min(1),
    /** Client apps; the first is used when a request omits `clientAppId`. @defaultValue [{ id: 'app_demo' }] */
    apps: z.array(appSchema),
    /** Redirect URI used when neither the request nor the app gives one. */
    defaultRedirectUri: z.string(),
    /** Extra embed origins allowed for every app. */
    allowedOrigins: z.array(z.string()),
    /** Where webhooks are POSTed; none are sent without it. */
    webhookUrl: z.string(),
    /** Signature scheme. @defaultValue 'standard' (svix-* headers) */
    webhookScheme: z.enum(['standard', 'ofauth']),
    /** Envelope. @defaultValue 'sdk' (`{eventType, live, data}`); 'docs' is `{type, timestamp, data}` */
    webhookEnvelope: z.enum(['sdk', 'docs']),
    /** `data.connection` of a webhook. @defaultValue 'sdk' (`{id, platformUserId, status, userData: {userId, …}, permissions}`, as OFAuth's SDKs type it); 'list' is the list endpoint's object */
    webhookConnectionShape: z.enum(['sdk', 'list']),
    /** Delay before retry n is `webhookRetryBaseMs * 2^(n-1)`. @defaultValue 5000 */
    webhookRetryBaseMs: z.number().int().min(0),
    /** Per-attempt timeout. @defaultValue 10000 */
    webhookTimeoutMs: z.number().int().min(1),
    /** Session lifetime. @defaultValue 1800 */
    sessionTtlSeconds: z.number().positive(),
    /** Send `Cross-Origin-Opener-Policy: same-origin` on hosted pages. @defaultValue false */
    coop: z.boolean(),
    /** Shape of the 200 from `/v2/link/init`. @defaultValue 'hosted' */
    initResponse: z.enum(['hosted', 'legacy', 'whitelabel']),
    /** postMessage shape of the embedded page. @defaultValue 'v4' */
    messageShape: z.enum(['v4', 'legacy']),
    /** Post `loaded` once per page load, as OFAuth's single-page flow does, not again on each step's page. @defaultValue true */
    loadedOnce: z.boolean(),
    /** Session URL style: `/cs_…` or `/s/cs_…`. @defaultValue 'root' */
    sessionPath: z.enum(['root', 's']),
    /** Order of `GET /v2/account/connections` (OFAuth documents none). @defaultValue 'oldest-first' */
    connectionOrder: z.enum(['oldest-first', 'newest-first']),
    /** Open sessions beyond this give 403 `{error: "limit reached"}`. @defaultValue unlimited */
    maxOpenSessions: z.number().int().min(0),
    /** Latency added to every API response, in ms. @defaultValue 0 */
    latencyMs: z.number().int().min(0),
    /** Silence the simulator's own log lines. @defaultValue false */
    quiet: z.boolean(),
  })
  .partial()
  .strict();

/** Zod schema of {@link SimulatorOptions}. */
export const optionsSchema = runtimeOptionsSchema
  .extend({
    /** Port to listen on; 0 picks a free one. @defaultValue 4010 */
    port: z.number().int().min(0).max(65_535).optional(),
    /** Host to bind. @defaultValue '127.0.0.1' */
    host: z.string().min(1).optional(),
    /** `whsec_<base64>` signing secret. @defaultValue a random one */
    webhookSecret: z
      .string()
      .startsWith('whsec_', 'webhookSecret must start with whsec_ (whsec_<base64>).')
      .optional(),
  })
  .strict();

/** Options of `startSimulator`; all optional. */
export type SimulatorOptions = z.infer<typeof optionsSchema>;

/** What can change at run time: every option but `port`, `host` and `webhookSecret`. */
export type RuntimeOptions = z.infer<typeof runtimeOptionsSchema>;

/** The first zod issue as one line: `path message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.')} ${issue.message}`.trim() : 'invalid';
}
