// Type tests (checked by the workspace typecheck): the public types say what the docs promise.
import { expectTypeOf } from 'vitest';
import type {
  LinkError,
  LinkOutcome,
  LinkSuccess,
  UseLinkCallbackResult,
  UseLinkSessionOptions,
} from './index';

// a success is confirmed only when the app's server said so (the `confirm` option)
expectTypeOf<LinkSuccess['confirmed']>().toEqualTypeOf<boolean>();
expectTypeOf<Extract<LinkOutcome, { status: 'cancelled' }>['reason']>().toEqualTypeOf<
  'user' | 'closed' | 'forced'
>();
expectTypeOf<Extract<LinkOutcome, { status: 'error' }>['code']>().toEqualTypeOf<string>();

// callbacks receive the narrowed outcome
expectTypeOf<NonNullable<UseLinkSessionOptions['onSuccess']>>().parameter(0).toEqualTypeOf<LinkSuccess>();
expectTypeOf<NonNullable<UseLinkSessionOptions['onExit']>>()
  .parameter(0)
  .toEqualTypeOf<Exclude<LinkOutcome, LinkSuccess>>();
expectTypeOf<NonNullable<UseLinkSessionOptions['onError']>>().parameter(0).toEqualTypeOf<LinkError>();
expectTypeOf<UseLinkSessionOptions['mode']>().toEqualTypeOf<
  'popup' | 'embed' | 'redirect' | 'auto' | undefined
>();

// the callback hook is null until the URL was read
expectTypeOf<UseLinkCallbackResult['outcome']>().toEqualTypeOf<LinkOutcome | null>();
expectTypeOf<UseLinkCallbackResult['returnTo']>().toEqualTypeOf<string | null>();
