// `@oflink/react/embed`: the embedded modal, for apps that show it. Importing it is the only way its
// code enters a bundle; apps with popup, redirect or auto mode never pay for it.
export type { LinkEmbed } from '@oflink/core';
/**
 * The embedded modal: pass it as `embed` to `<ConnectButton>` or `useLinkSession` to allow
 * `mode="embed"`.
 *
 * @example
 * import { ConnectButton } from '@oflink/react';
 * import { embed } from '@oflink/react/embed';
 *
 * <ConnectButton mode="embed" embed={embed} />;
 */
export { embed } from '@oflink/core/embed';
