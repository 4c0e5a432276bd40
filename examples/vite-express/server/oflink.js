import { createConnectionStore } from '@oflink/connections';
import { createOflinkHandler } from '@oflink/server';
import { userId } from './auth.js';

// Every oflink route behind one Fetch handler, shared by the Express and the Hono server.
// OFAUTH_API_KEY, OFAUTH_BASE_URL, OFAUTH_REDIRECT_URL and OFAUTH_WEBHOOK_SECRET come from the
// environment; the connections are kept in an embedded database (DATABASE_URL: your PostgreSQL).
export const store = createConnectionStore({ database: process.env.DATABASE_URL });
export const oflink = createOflinkHandler({ store, getClientReferenceId: userId });
