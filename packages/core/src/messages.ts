import { type LinkMessage, parseLinkMessage } from '@oflink/protocol';

export { type LinkMessage, parseLinkMessage };

/** The parts of a `MessageEvent` that decide whether it is trusted. */
export interface IncomingMessage {
  /** `event.origin`. */
  origin: string;
  /** `event.source`. */
  source: unknown;
  /** `event.data`. */
  data: unknown;
}

/**
 * Accepts a message only when its origin is exactly the session URL's origin, its source is
 * the opened frame's window, and its payload is valid. Otherwise returns the reason it was ignored.
 *
 * @example
 * const r = acceptLinkMessage(event, session.url, iframe.contentWindow);
 * if ('message' in r) handle(r.message); else console.warn(r.ignored);
 */
export function acceptLinkMessage(
  event: IncomingMessage,
  sessionUrl: string,
  expectedSource: unknown,
): { message: LinkMessage } | { ignored: string } {
  let origin: string;
  try {
    origin = new URL(sessionUrl).origin;
  } catch {
    return { ignored: 'the session URL is not a URL' };
  }
  if (event.origin !== origin)
    return { ignored: `origin ${event.origin} is not the session origin ${origin}` };
  if (expectedSource == null || event.source !== expectedSource)
    return { ignored: 'it did not come from the Link frame' };
  const message = parseLinkMessage(event.data);
  return message ? { message } : { ignored: 'its payload is not a valid OFAUTH_LINK message' };
}
