import { createConnectionStore } from '@oflink/connections';
import { createOflinkHandler } from '@oflink/server';
import { auth } from '@/auth';

// Every oflink route: session, confirm, connections, webhook. Your users' connections are kept in
// PostgreSQL: embedded in memory without DATABASE_URL, your server with it.
export const oflink = createOflinkHandler({
  store: createConnectionStore({ database: process.env.DATABASE_URL }),
  getClientReferenceId: async () => (await auth())?.user.id ?? null,
});
