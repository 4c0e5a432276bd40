/**
 * How `toNodeHandler` skips the Fetch API objects a Node server does not need. Internal.
 *
 * - A handler made by this package (`createLinkHandler`) is registered with its *answer function*:
 *   the same logic, returning a {@link PlainAnswer} (status, headers, string body) instead of a
 *   `Response`, and taking a body the adapter already read. `toNodeHandler` then builds the
 *   `Request` without a body stream and writes the answer as is: no web stream is made or read on
 *   either side. A wrapped handler is not in the registry and takes the ordinary path.
 * - A `Response` built from a string by this package keeps that string beside it, so that
 *   `toNodeHandler` writes it at once when such a Response comes back through a wrapper; a Response
 *   whose body was read, or that is not in the map, goes through the ordinary stream path.
 */

/** A complete answer with a string body (or none), before it is a `Response`. */
export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * Where an answer function gets the body: a reader the caller provides (the `Request` then has
 * none; it is called only once the checks that need no body passed), or null to read `request.body`.
 */
export type BodySource = (() => Promise<Uint8Array>) | null;

/** The answer function of a registered handler. */
export type AnswerFunction = (request: Request, body: BodySource) => Promise<PlainAnswer>;

const plainBodies = new WeakMap<Response, string>();
const answerFunctions = new WeakMap<object, AnswerFunction>();

/** A `Response` for `answer`, remembered as built from a string. */
export function toResponse(answer: PlainAnswer): Response {
  const response = new Response(answer.body, { status: answer.status, headers: answer.headers });
  if (answer.body !== null) plainBodies.set(response, answer.body);
  return response;
}

/** The string `response` was built from, when it was built by {@link toResponse} and is unread. */
export function plainBody(response: Response): string | undefined {
  return response.bodyUsed ? undefined : plainBodies.get(response);
}

/** Makes `handler` a Fetch handler that `toNodeHandler` can run through `answer` directly. */
export function withAnswerFunction<H extends (request: Request) => Promise<Response>>(
  handler: H,
  answer: AnswerFunction,
): H {
  answerFunctions.set(handler, answer);
  return handler;
}

/** The answer function registered for `handler`, if any. */
export function answerFunction(handler: object): AnswerFunction | undefined {
  return answerFunctions.get(handler);
}
