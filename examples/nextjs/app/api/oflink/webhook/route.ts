import { createWebhookHandler } from '@oflink/server';
import { connections } from '@/connections';

// Verified OFAuth events keep the stored connections true: OnlyFans signs people out, people disconnect.
export const POST = createWebhookHandler({
  on: {
    'connection.updated': (event) =>
      connections.setStatus(event.data.connection.id, event.data.connection.status),
    'connection.expired': (event) => connections.setStatus(event.data.connection.id, 'expired'),
    'connection.disconnected': (event) => connections.remove(event.data.connection.id),
  },
});
