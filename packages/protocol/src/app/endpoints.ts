// The app's own endpoints, as the browser and the server of oflink share them: where they are, the
// bodies the browser sends, and the error answer both read, with the public sentence of each code.
// Defined once here: core and react build and read them, the server checks and answers them.
import { CLIENT_REFERENCE_ID_MAX, isConnectionId } from '../ofauth/ids';
import type { Geolocation } from '../ofauth/session';
import { hasControl, obj, str } from '../ofauth/values';

/** Where `createOflinkHandler` mounts its routes, and where the browser looks by default. */
export const BASE_PATH = '/api/oflink';

/**
 * The routes under {@link BASE_PATH} that the browser calls by default (the webhook route is
 * OFAuth's to call), written out so that a bundle holds them whole.
 */
export const ROUTES = {
  session: '/api/oflink/session',
  confirm: '/api/oflink/confirm',
  connections: '/api/oflink/connections',
} as const satisfies Record<string, `${typeof BASE_PATH}/${string}`>;

/**
 * The body of `POST {session endpoint}`: what the browser may ask for. Who the user is, the redirect
 * URL and the client app are the server's to set, never the browser's.
 */
export interface SessionRequestBody {
  /** Re-authenticate this connection (`conn_…`), which the signed-in user must own. */
  connectionId?: string | undefined;
  /** Geolocation override; `country` is required when it is given. */
  geolocation?: Geolocation | undefined;
}

/** The body of `POST {confirm endpoint}`, exactly. */
export interface ConfirmRequestBody {
  /** The `connection_id` the callback reported. */
  connectionId: string;
}

/**
 * The session request body the browser sends: only the members that are set.
 * @example
 * sessionRequestBody({ connectionId: 'conn_1', geolocation: undefined }); // { connectionId: 'conn_1' }
 */
export function sessionRequestBody(o: SessionRequestBody): SessionRequestBody {
  const body: SessionRequestBody = {};
  if (o.connectionId) body.connectionId = o.connectionId;
  if (o.geolocation) body.geolocation = o.geolocation;
  return body;
}

/** A check's verdict: the value it accepted, or why it refused it (a sentence). */
export type Check<T> = { ok: true; value: T } | { ok: false; message: string };

/** A plain JSON object: not null, not an array, no prototype but Object's. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function text(value: unknown, name: string, max: number): Check<string> {
  if (typeof value !== 'string') return { ok: false, message: `${name} must be a string.` };
  if (value.trim() === '' || value.length > max || hasControl(value))
    return { ok: false, message: `${name} must be 1 to ${max} printable characters.` };
  return { ok: true, value };
}

/** A `conn_…` connection id. */
export function checkConnectionId(value: unknown): Check<string> {
  if (!isConnectionId(value))
    return {
      ok: false,
      message: 'connectionId must look like "conn_…" (letters, digits, "_" or "-", at most 125 characters).',
    };
  return { ok: true, value };
}

/** A `clientReferenceId` as the app provides it: 1–256 printable characters. */
export function checkClientReferenceId(value: unknown): Check<string> {
  return text(value, 'clientReferenceId', CLIENT_REFERENCE_ID_MAX);
}

/** `{ country, state?, city? }`, each 1–64/128 printable characters, nothing else. */
export function checkGeolocation(value: unknown): Check<Geolocation> {
  if (!isPlainObject(value)) return { ok: false, message: 'geolocation must be an object with a country.' };
  for (const key of Object.keys(value))
    if (key !== 'country' && key !== 'state' && key !== 'city')
      return { ok: false, message: 'geolocation accepts only country, state and city.' };
  if (value.country === undefined)
    return { ok: false, message: 'geolocation.country is required when geolocation is sent.' };
  const country = text(value.country, 'geolocation.country', 64);
  if (!country.ok) return country;
  const geo: Geolocation = { country: country.value };
  for (const key of ['state', 'city'] as const) {
    if (value[key] === undefined) continue;
    const part = text(value[key], `geolocation.${key}`, 128);
    if (!part.ok) return part;
    geo[key] = part.value;
  }
  return { ok: true, value: geo };
}

/** The session request body as the server accepts it: {@link SessionRequestBody} and nothing else. */
export function checkSessionBody(value: unknown): Check<SessionRequestBody> {
  if (!isPlainObject(value)) return { ok: false, message: 'The body must be a JSON object.' };
  const out: SessionRequestBody = {};
  for (const key of Object.keys(value)) {
    if (key === 'clientReferenceId' || key === 'redirectUrl' || key === 'clientAppId')
      return { ok: false, message: `${key} is set by the server and must not be sent.` };
    if (key !== 'connectionId' && key !== 'geolocation')
      return { ok: false, message: 'The body accepts only connectionId and geolocation.' };
  }
  if (value.connectionId !== undefined) {
    const id = checkConnectionId(value.connectionId);
    if (!id.ok) return id;
    out.connectionId = id.value;
  }
  if (value.geolocation !== undefined) {
    const geo = checkGeolocation(value.geolocation);
    if (!geo.ok) return geo;
    out.geolocation = geo.value;
  }
  return { ok: true, value: out };
}

/** The confirm request body as the server accepts it: exactly `{ connectionId: "conn_…" }`. */
export function checkConfirmBody(value: unknown): Check<ConfirmRequestBody> {
  if (!isPlainObject(value) || Object.keys(value).some((k) => k !== 'connectionId'))
    return { ok: false, message: 'The body must be { "connectionId": "conn_…" }.' };
  const id = checkConnectionId(value.connectionId);
  return id.ok ? { ok: true, value: { connectionId: id.value } } : id;
}

/**
 * Every `error.code` the endpoints of `@oflink/server` answer with (`{ error: { code, message } }`),
 * which the browser receives as `LinkError.code`, with the sentence the answer shows. The first
 * group refuses the request itself; `connection_*` come from the confirm and connections endpoints;
 * `store_unavailable` means the app's connection store failed; `invalid_options` is a configuration
 * mistake; `not_found` is a path under the one mount that is no route; `internal_error` means a
 * callback of the app threw.
 */
export const PUBLIC_MESSAGES = {
  method_not_allowed: 'This method is not allowed here.',
  unsupported_media_type: 'Send the body as application/json.',
  body_too_large: 'The body is too large.',
  request_timeout: 'The request body did not arrive in time.',
  invalid_request: 'The request is not valid.',
  forbidden_origin: 'This endpoint only accepts requests from its own site.',
  unauthenticated: 'Sign in before connecting an account.',
  connection_not_owned: 'That connection does not belong to the signed-in user.',
  reconnect_not_allowed: 'Reconnecting an existing connection is not enabled on this server.',
  server_misconfigured:
    'The server is not configured correctly for OFAuth. The details are in the server logs.',
  upstream_rejected: 'OFAuth rejected the request.',
  limit_reached: 'The OFAuth session limit is reached. Try again later.',
  rate_limited: 'Too many requests. Try again shortly.',
  upstream_unavailable: 'OFAuth is unavailable right now. Try again shortly.',
  upstream_timeout: 'OFAuth did not answer in time. Try again.',
  unsupported_mode: 'The OFAuth client app uses a session mode this server does not support.',
  connection_not_found: 'That connection was not found.',
  lookup_limit_reached: 'The connection could not be looked up in time. Try again later.',
  store_unavailable: 'The connection records are unavailable right now. Try again shortly.',
  invalid_options: 'The server is not configured correctly.',
  not_found: 'There is no oflink route here.',
  internal_error: 'Something went wrong on the server.',
} as const;

/**
 * One of the codes of {@link PUBLIC_MESSAGES}.
 * @example
 * if (body.error.code === 'unauthenticated') signIn();
 */
export type EndpointErrorCode = keyof typeof PUBLIC_MESSAGES;

/** The JSON body of every error answer of the app's endpoints. */
export interface ErrorAnswerBody {
  error: { code: string; message: string };
}

/** Longest error message the browser passes on to the app; longer ones are cut. */
const MAX_MESSAGE = 300;

/**
 * What an error answer of the app's endpoint says, bounded: the code only when it is a plain
 * identifier, the message cut to 300 characters (an endpoint, or a proxy in front of it, is not
 * trusted to shape what the app shows). Missing parts are undefined.
 * @example
 * readEndpointError({ error: { code: 'forbidden_origin', message: 'No.' } }); // { code: 'forbidden_origin', message: 'No.' }
 */
export function readEndpointError(body: unknown): { code?: string; message?: string } {
  const error = obj(obj(body)?.error);
  const out: { code?: string; message?: string } = {};
  if (str(error?.code) && /^[a-z][a-z0-9_]{0,63}$/.test(error.code)) out.code = error.code;
  if (str(error?.message) && error.message.trim() !== '') out.message = error.message.slice(0, MAX_MESSAGE);
  return out;
}
