'use client';
import type { LinkStatus } from '@oflink/core';
import { isLinkOption } from '@oflink/core/internal';
import {
  type ButtonHTMLAttributes,
  forwardRef,
  type ReactNode,
  type SyntheticEvent,
  useSyncExternalStore,
} from 'react';
import { asChild as mergeInto } from './asChild';
import { type UseLinkSessionOptions, useLinkSession } from './useLinkSession';

/** Props of {@link ConnectButton}: every `useLinkSession` option plus native button attributes. */
export interface ConnectButtonProps
  extends UseLinkSessionOptions,
    Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onError' | 'type'> {
  /** Render the single child element instead of a `<button>`, merging props and behaviour into it. */
  asChild?: boolean | undefined;
  /** Label. @defaultValue 'Connect OnlyFans' */
  children?: ReactNode | undefined;
}

/** `data-state` values of {@link ConnectButton}. */
export type ConnectButtonState = 'idle' | 'loading' | 'open' | 'success' | 'error';

const subscribeNothing = () => () => {};

/** The `data-state` of a controller status: the two waiting states are one `loading`. */
const buttonState = (s: LinkStatus): ConnectButtonState =>
  s === 'preparing' || s === 'confirming'
    ? 'loading'
    : s === 'open' || s === 'success' || s === 'error'
      ? s
      : 'idle';

function compose<E extends SyntheticEvent>(user: ((e: E) => void) | undefined, ours: () => void) {
  return (e: E) => {
    user?.(e);
    if (!e.defaultPrevented) ours();
  };
}

/**
 * An unstyled native `<button type="button">` that opens OFAuth Link. State is exposed as
 * `data-state` (`idle | loading | open | success | error`) and `aria-busy`; it is disabled while
 * the flow is open and during server render.
 *
 * @example
 * <ConnectButton mode="popup" onSuccess={(o) => confirmOnServer(o.connectionId)} />
 */
export const ConnectButton = /* @__PURE__ */ forwardRef<HTMLButtonElement, ConnectButtonProps>(
  function ConnectButton(props, ref) {
    const { asChild, children, onClick, onPointerEnter, onFocus, disabled, queryClient, ...given } = props;
    // the options go to the hook, every other prop to the element
    const options: UseLinkSessionOptions = { queryClient };
    const rest: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(given))
      (isLinkOption(name) ? (options as Record<string, unknown>) : rest)[name] = value;
    const link = useLinkSession(options);
    const hydrated = useSyncExternalStore(
      subscribeNothing,
      () => true,
      () => false,
    );
    const s = link.status;
    const warm = () => {
      if ((options.prefetch ?? 'hover') === 'hover') link.prefetch();
    };
    const off = Boolean(disabled) || s === 'open' || s === 'confirming' || !hydrated;
    const own = {
      ...rest,
      ref,
      'data-state': buttonState(s),
      'data-disabled': off ? '' : undefined,
      'aria-busy': s === 'preparing' || s === 'confirming' ? true : undefined,
      disabled: off,
      onClick: compose(onClick, link.open),
      onPointerEnter: compose(onPointerEnter, warm),
      onFocus: compose(onFocus, warm),
    };
    const label = children ?? 'Connect OnlyFans';
    return asChild ? (
      mergeInto(label, own)
    ) : (
      <button type="button" {...own}>
        {label}
      </button>
    );
  },
);
