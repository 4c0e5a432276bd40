'use client';

import { LinkError } from '@oflink/core';
import {
  cloneElement,
  forwardRef,
  isValidElement,
  type ReactElement,
  type ReactNode,
  type Ref,
  type RefCallback,
  version,
} from 'react';

type Props = Record<string, unknown>;

function setRef<T>(ref: Ref<T> | undefined, value: T | null) {
  if (typeof ref === 'function') ref(value);
  else if (ref) (ref as { current: T | null }).current = value;
}

/**
 * Merges its props into its only child: handlers composed (child first), classes joined, refs composed.
 * What `asChild` renders. Any other children (text, several elements, none) throw a `LinkError`
 * `invalid_options`: a button that silently renders nothing would be worse.
 *
 * @example
 * <Slot onClick={open} data-state="idle"><a href="/connect">Connect</a></Slot>
 */
export const Slot = /* @__PURE__ */ forwardRef<HTMLElement, Props & { children?: ReactNode }>(function Slot(
  { children, ...slot },
  ref,
) {
  if (!isValidElement(children))
    throw new LinkError('invalid_options', '`asChild` needs exactly one React element as its child.');
  const child = children as ReactElement<Props>;
  const own = child.props;
  const merged: Props = { ...slot, ...own };
  for (const key of Object.keys(slot)) {
    const a = own[key];
    const b = slot[key];
    if (/^on[A-Z]/.test(key) && typeof a === 'function' && typeof b === 'function') {
      merged[key] = (e: { defaultPrevented?: boolean }) => {
        a(e);
        if (!e?.defaultPrevented) b(e);
      };
    } else if (key === 'className' && a && b) merged[key] = `${b} ${a}`;
    else if (key === 'style' && a && b) merged[key] = { ...(b as object), ...(a as object) };
  }
  // React 19 moved `ref` into props; React 18 keeps it on the element
  const childRef = (Number.parseInt(version, 10) >= 19 ? own.ref : (child as { ref?: unknown }).ref) as
    | Ref<HTMLElement>
    | undefined;
  const composed: RefCallback<HTMLElement> = (node) => {
    setRef(ref, node);
    setRef(childRef, node);
  };
  merged.ref = composed;
  return cloneElement(child, merged);
});
