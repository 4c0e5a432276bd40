import { obj, str } from './values';

/** What an OFAuth error answer says, from whichever published shape it has. */
export interface ErrorBody {
  /** The human text. */
  message?: string;
  /** A machine code, when the body has one. */
  code?: string;
  /** Extra structured detail, when the body has some. */
  details?: unknown;
}

/**
 * Reads an OFAuth error body in all three published shapes: `{error: string}` (the models),
 * `{message, code, details}` (the SDK runtime) and `{error: {message, code, details}}`.
 *
 * @example
 * readErrorBody({ error: 'limit reached' }); // { message: 'limit reached' }
 */
export function readErrorBody(body: unknown): ErrorBody {
  const b = obj(body);
  if (!b) return {};
  const inner = obj(b.error) ?? b;
  const out: ErrorBody = {};
  const message = str(b.error)
    ? b.error
    : str(inner.message)
      ? inner.message
      : str(inner.error)
        ? inner.error
        : undefined;
  if (message !== undefined) out.message = message;
  if (str(inner.code)) out.code = inner.code;
  else if (str(inner.type)) out.code = inner.type;
  if (inner.details !== undefined) out.details = inner.details;
  return out;
}
