// What a browser bundle gets (the `browser` export condition). It declares every name the package
// exports, so that bundlers (Vite, webpack, Turbopack, esbuild) build without a "missing export"
// error of their own, and the page then fails with this message, which says what to do instead.
const message =
  '@oflink/server was imported in browser code. It holds your OFAuth apiKey and must only run on your server. ' +
  'Import @oflink/react in the browser, and call createLinkHandler from a server route.';

throw new Error(message);

function serverOnly(): never {
  throw new Error(message);
}

export {
  serverOnly as confirmConnection,
  serverOnly as createConfirmHandler,
  serverOnly as createConnectionsHandler,
  serverOnly as createLinkHandler,
  serverOnly as createLinkSession,
  serverOnly as createOflinkHandler,
  serverOnly as createWebhookHandler,
  serverOnly as OflinkServerError,
  serverOnly as toNodeHandler,
  serverOnly as verifyWebhook,
  serverOnly as WebhookVerificationError,
};
