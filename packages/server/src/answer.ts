// Internal: the one way the package writes a JSON answer, and its one error body.
import type { OflinkServerErrorCode } from './OflinkServerError';

/** The JSON body of every error answer of the package. */
export interface ErrorBody {
  error: { code: OflinkServerErrorCode; message: string };
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON answer that no cache keeps. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** The error answer, `{ error: { code, message } }`: an {@link ErrorBody}, or a webhook code. */
export function errorAnswer(
  code: string,
  status: number,
  message: string,
  headers?: Record<string, string>,
): Response {
  return jsonAnswer(status, { error: { code, message } }, headers);
}
