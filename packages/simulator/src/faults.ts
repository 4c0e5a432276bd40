import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, type Reply, send, sleep } from './http';
import { type Fault, faultSchema } from './options';

/** The queue of faults for the next `/v2` requests; a request may also name its own in a header. */
export class FaultQueue {
  private queue: { fault: Fault; left: number }[] = [];

  push(fault: Fault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.queue = [];
  }

  /** The `x-oflink-simulator-fault` header's fault, else the next queued one. */
  next(req: IncomingMessage): Fault | null {
    const header = req.headers['x-oflink-simulator-fault'];
    if (typeof header === 'string') {
      try {
        const f = faultSchema.safeParse(JSON.parse(header));
        if (f.success) return f.data;
      } catch {
        // An unreadable header is ignored, like any unknown header.
      }
    }
    const q = this.queue[0];
    if (!q) return null;
    q.left--;
    if (q.left <= 0) this.queue.shift();
    return q.fault;
  }
}

/** The answer a fault replaces the route's answer with, if it does (null: answer normally). */
function faultReply(fault: Fault): Reply | null {
  if (fault.type === 'status')
    return json(fault.status, fault.body ?? { error: `Simulated ${fault.status}` }, fault.headers ?? {});
  if (fault.type === 'rate-limit') {
    const reset = String(Math.ceil(Date.now() / 1000) + fault.retryAfter);
    const headers = {
      'retry-after': String(fault.retryAfter),
      'x-ratelimit-limit': '60',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': reset,
    };
    return json(429, { error: 'Too many requests' }, headers);
  }
  if (fault.type === 'malformed')
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"mode":"hosted","url":' };
  return null;
}

/** Answers an API request through `fault`: delayed, cut, replaced, or sent slowly. */
export async function answerWithFault(
  fault: Fault | null,
  req: IncomingMessage,
  res: ServerResponse,
  route: () => Reply,
): Promise<void> {
  if (fault?.type === 'latency') await sleep(fault.ms);
  if (fault?.type === 'reset') {
    req.socket.destroy();
    return;
  }
  const replaced = fault ? faultReply(fault) : null;
  if (replaced) return send(res, replaced);
  const reply = route();
  if (fault?.type !== 'slow-body') return send(res, reply);
  res.writeHead(reply.status, reply.headers);
  res.flushHeaders();
  await sleep(fault.ms);
  res.end(reply.body);
}
