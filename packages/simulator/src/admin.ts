import { z } from 'zod';
import { json, type Reply } from './http';
import { faultSchema, firstIssue, runtimeOptionsSchema } from './options';
import type { Simulator } from './startSimulator';

const cors = { 'access-control-allow-origin': '*' };

/** The answer to a CORS preflight of the admin routes. */
export const adminPreflight: Reply = {
  status: 204,
  headers: {
    ...cors,
    'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
    'access-control-allow-headers': 'content-type',
  },
  body: '',
};

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
