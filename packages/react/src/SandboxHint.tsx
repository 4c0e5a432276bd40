'use client';
import type { SandboxInfo } from '@oflink/core';
import { isDev } from '@oflink/core/internal';

/** Props of {@link SandboxHint}. */
export interface SandboxHintProps {
  /** Sandbox credentials, e.g. `useLinkSession().sandbox`; nothing renders without them. */
  info: SandboxInfo | null | undefined;
  /** Stacking order, above the embed modal by default. @defaultValue 2147483647 */
  zIndex?: number | undefined;
}

/**
 * Development only: lists the sandbox scenarios (email domain, password, code) next to the
 * embedded page. Renders nothing in production builds or without sandbox info.
 *
 * @example
 * const link = useLinkSession({ mode: 'embed', embed }); // embed from '@oflink/react/embed'
 * return <SandboxHint info={link.sandbox} />;
 */
export function SandboxHint({ info, zIndex }: SandboxHintProps) {
  if (!info || !isDev()) return null;
  return (
    <aside
      aria-label="Sandbox credentials"
      data-oflink-sandbox-hint=""
      style={{
        position: 'fixed',
        right: 12,
        bottom: 12,
        zIndex: zIndex ?? 2147483647,
        maxWidth: 320,
        padding: 12,
        borderRadius: 8,
        background: '#fffbe6',
        color: '#1a1a1a',
        font: '13px/1.4 system-ui, sans-serif',
      }}
    >
      <strong>Sandbox accounts</strong>
      <ul style={{ margin: '4px 0 0', paddingLeft: 16 }}>
        {info.scenarios.map((s) => (
          <li key={s.id} data-active={s.id === info.activeScenarioId ? '' : undefined}>
            any email <code>@{s.id}.sandbox.com</code>, password <code>{s.password}</code>
            {s.otpCode ? (
              <>
                , code <code>{s.otpCode}</code>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </aside>
  );
}
