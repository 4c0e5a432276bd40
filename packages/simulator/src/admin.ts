import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { isLoopback, json, type Reply } from './http';
import { faultSchema, firstIssue, runtimeOptionsSchema } from './options';
import type { Simulator } from './types';

// No CORS header on purpose: no web page but the simulator's own may read or drive these routes
const cors = {};

const LOCAL_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why an admin request is refused, or null. The routes read sessions (bearer Link URLs) and signed
 * webhook bodies, and can repoint the webhook URL: only a process on this machine may use them, and
 * no web page another site serves. So the peer must be loopback; the `Host` must name this
 * simulator on a local name (a page on a rebound DNS name is refused); a browser's `Origin`, when
 * sent, must be the simulator's own, and `Sec-Fetch-Site` must not be cross-site or same-site.
 * Tests and tools send no `Origin` and pass; a dev server that forwards them drops it.
 */
export function adminRefusal(req: IncomingMessage, baseUrl: string): string | null {
  if (!isLoopback(req.socket.remoteAddress)) return 'Loopback only';
  const own = new URL(baseUrl);
  const host = req.headers.host ?? '';
  const named = URL.parse(`http://${host}`);
  const local = named && (LOCAL_NAMES.has(named.hostname) || named.hostname === own.hostname);
  if (!named || !local || named.port !== own.port) return `Host ${host || '(none)'} is not this simulator`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`)
    return `Origin ${origin} may not use the test controls`;
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return 'Another site may not use the test controls';
  return null;
}

function route(sim: Simulator, key: string, body: () => unknown): Reply {
  switch (key) {
    case 'POST /faults': {
      const f = faultSchema.safeParse(body());
      if (!f.success) return json(400, { error: `Invalid fault: ${f.error.issues[0]?.message}` }, cors);
      sim.injectFault(f.data);
      return json(200, { ok: true }, cors);
    }
    case 'DELETE /faults':
      sim.clearFaults();
      return json(200, { ok: true }, cors);
    case 'POST /expire': {
      const b = z.object({ id: z.string().optional() }).safeParse(body());
      if (!b.success) return json(400, { error: 'Invalid body: {id?: string}' }, cors);
      return json(200, { expired: sim.expireSession(b.data.id) }, cors);
    }
    case 'GET /sessions':
      return json(200, sim.sessions(), cors);
    case 'GET /connections':
      return json(200, sim.connections(), cors);
    case 'GET /webhooks':
      return json(200, sim.webhookDeliveries(), cors);
    case 'POST /webhooks/resend': {
      const b = z.object({ id: z.string() }).safeParse(body());
      if (!b.success) return json(400, { error: 'Invalid body: {id: string}' }, cors);
      if (!sim.webhookDeliveries().some((d) => d.id === b.data.id))
        return json(404, { error: 'No webhook message has this id' }, cors);
      void sim.resendWebhook(b.data.id);
      return json(202, { resending: b.data.id }, cors);
    }
    case 'PATCH /options': {
      const p = runtimeOptionsSchema.safeParse(body());
      if (!p.success) return json(400, { error: `Invalid options: ${firstIssue(p.error)}` }, cors);
      sim.configure(p.data);
      return json(200, { ok: true }, cors);
    }
    case 'POST /reset':
      sim.reset();
      return json(200, { ok: true }, cors);
    default:
      return json(404, { error: 'Not found' }, cors);
  }
}

/** The `/__simulator/` test controls (loopback only; checked by the caller). */
export function admin(sim: Simulator, method: string, path: string, raw: string): Reply {
  try {
    return route(sim, `${method} ${path}`, () => (raw.trim() === '' ? {} : JSON.parse(raw)));
  } catch {
    return json(400, { error: 'Body is not valid JSON' }, cors);
  }
}
