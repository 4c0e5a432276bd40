import { createConfirmHandler, createLinkHandler, createWebhookHandler } from '@oflink/server';
import { userId } from './auth.js';
import { connections } from './connections.js';

// The three Fetch handlers, shared by the Express and the Hono server. OFAUTH_API_KEY, OFAUTH_BASE_URL,
// OFAUTH_REDIRECT_URL and OFAUTH_WEBHOOK_SECRET come from the environment.
export const session = createLinkHandler({ getClientReferenceId: userId });

export const confirm = createConfirmHandler({
  getClientReferenceId: userId,
  onConfirmed: (connection, user) => connections.save(user, connection),
});

export const webhook = createWebhookHandler({
  on: {
    'connection.updated': (event) =>
      connections.setStatus(event.data.connection.id, event.data.connection.status),
    'connection.expired': (event) => connections.setStatus(event.data.connection.id, 'expired'),
    'connection.disconnected': (event) => connections.remove(event.data.connection.id),
  },
});
