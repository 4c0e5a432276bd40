// Internal: the shape rules of a session request, shared by the handler (body) and createLinkSession (arguments).
import { CLIENT_REFERENCE_ID_MAX, type Geolocation, hasControl, isConnectionId } from '@oflink/protocol';

export type Check<T> = { ok: true; value: T } | { ok: false; message: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function text(value: unknown, name: string, max: number): Check<string> {
  if (typeof value !== 'string') return { ok: false, message: `${name} must be a string.` };
  if (value.trim() === '' || value.length > max || hasControl(value)) {
    return { ok: false, message: `${name} must be 1 to ${max} printable characters.` };
  }
  return { ok: true, value };
}

export function checkConnectionId(value: unknown): Check<string> {
  if (!isConnectionId(value)) {
    return {
      ok: false,
      message: 'connectionId must look like "conn_…" (letters, digits, "_" or "-", at most 125 characters).',
    };
  }
  return { ok: true, value };
}

export function checkGeolocation(value: unknown): Check<Geolocation> {
  if (!isPlainObject(value)) return { ok: false, message: 'geolocation must be an object with a country.' };
  for (const key of Object.keys(value)) {
    if (key !== 'country' && key !== 'state' && key !== 'city') {
      return { ok: false, message: 'geolocation accepts only country, state and city.' };
    }
  }
  if (value.country === undefined)
    return { ok: false, message: 'geolocation.country is required when geolocation is sent.' };
  const country = text(value.country, 'geolocation.country', 64);
  if (!country.ok) return country;
  const geo: Geolocation = { country: country.value };
  if (value.state !== undefined) {
    const state = text(value.state, 'geolocation.state', 128);
    if (!state.ok) return state;
    geo.state = state.value;
  }
  if (value.city !== undefined) {
    const city = text(value.city, 'geolocation.city', 128);
    if (!city.ok) return city;
    geo.city = city.value;
  }
  return { ok: true, value: geo };
}

/** A `clientReferenceId` as the app provides it: 1–256 printable characters. */
export function checkClientReferenceId(value: unknown): Check<string> {
  return text(value, 'clientReferenceId', CLIENT_REFERENCE_ID_MAX);
}

/** The body of `POST /api/oflink/session`: `{ connectionId?, geolocation? }` and nothing else. */
export function checkSessionBody(
  value: unknown,
): Check<{ connectionId?: string; geolocation?: Geolocation }> {
  if (!isPlainObject(value)) return { ok: false, message: 'The body must be a JSON object.' };
  const out: { connectionId?: string; geolocation?: Geolocation } = {};
  for (const key of Object.keys(value)) {
    if (key === 'clientReferenceId' || key === 'redirectUrl' || key === 'clientAppId') {
      return { ok: false, message: `${key} is set by the server and must not be sent.` };
    }
    if (key !== 'connectionId' && key !== 'geolocation') {
      return { ok: false, message: 'The body accepts only connectionId and geolocation.' };
    }
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
