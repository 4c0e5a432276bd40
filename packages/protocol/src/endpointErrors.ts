/**
 * Every `error.code` the endpoints of `@oflink/server` answer with (`{ error: { code, message } }`),
 * which the browser receives as `LinkError.code`. The first group refuses the request itself;
 * `connection_*` come from the confirm and connections endpoints; `store_unavailable` means the
 * app's connection store failed; `invalid_options` is a configuration mistake;
 * `not_found` is a path under `createOflinkHandler`'s base that is no route; `internal_error` means a
 * callback of the app threw.
 * @example
 * if (body.error.code === 'unauthenticated') signIn();
 */
export type EndpointErrorCode =
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'request_timeout'
  | 'invalid_request'
  | 'forbidden_origin'
  | 'unauthenticated'
  | 'connection_not_owned'
  | 'reconnect_not_allowed'
  | 'server_misconfigured'
  | 'upstream_rejected'
  | 'limit_reached'
  | 'rate_limited'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'unsupported_mode'
  | 'connection_not_found'
  | 'lookup_limit_reached'
  | 'store_unavailable'
  | 'invalid_options'
  | 'not_found'
  | 'internal_error';
