import { LinkError } from '@oflink/core';
import { cloneElement, isValidElement, type ReactElement, type ReactNode, type Ref, version } from 'react';

type Props = Record<string, unknown>;

function setRef<T>(ref: unknown, value: T | null) {
  if (typeof ref === 'function') ref(value);
  else if (ref) (ref as { current: T | null }).current = value;
}

/**
 * What `asChild` renders: `props` merged into the only child element, its handlers composed (the
 * child's first; a `preventDefault()` there skips ours), classes joined, styles merged, refs both
 * set. Any other children (text, several elements, none) throw a `LinkError` `invalid_options`: a
 * button that silently renders nothing would be worse.
 *
 * @example
 * asChild(<a href="/connect">Connect</a>, { onClick: open, 'data-state': 'idle', ref });
 */
export function asChild(children: ReactNode, props: Props): ReactElement {
  if (!isValidElement(children))
    throw new LinkError('invalid_options', '`asChild` needs exactly one React element as its child.');
  const child = children as ReactElement<Props>;
  const own = child.props;
  const merged: Props = { ...props, ...own };
  for (const key of Object.keys(props)) {
    const a = own[key];
    const b = props[key];
    if (/^on[A-Z]/.test(key) && typeof a === 'function' && typeof b === 'function') {
      merged[key] = (e: { defaultPrevented?: boolean }) => {
        a(e);
        if (!e?.defaultPrevented) b(e);
      };
    } else if (key === 'className' && a && b) merged[key] = `${b} ${a}`;
    else if (key === 'style' && a && b) merged[key] = { ...(b as object), ...(a as object) };
  }
  // React 19 moved `ref` into props; React 18 keeps it on the element
  const childRef = Number.parseInt(version, 10) >= 19 ? own.ref : (child as { ref?: unknown }).ref;
  const ref = props.ref;
  merged.ref = (node: HTMLElement | null) => {
    setRef(ref, node);
    setRef(childRef, node);
  };
  return cloneElement(child, merged as Props & { ref: Ref<HTMLElement> });
}
