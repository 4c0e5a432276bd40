/**
 * Bodies of the responses this package builds from a string, kept beside the `Response` so that
 * `toNodeHandler` can write them at once instead of reading the Response's web stream back (the
 * stream costs more than the rest of the answer). Internal: a Response that is not in the map, or
 * whose body was read, goes through the ordinary stream path.
 */
const plainBodies = new WeakMap<Response, string>();

/** A JSON (or other string) response, remembered as such. */
export function plainResponse(body: string, init: ResponseInit): Response {
  const response = new Response(body, init);
  plainBodies.set(response, body);
  return response;
}

/** The string `response` was built from, when it was built by {@link plainResponse} and is unread. */
export function plainBody(response: Response): string | undefined {
  return response.bodyUsed ? undefined : plainBodies.get(response);
}
