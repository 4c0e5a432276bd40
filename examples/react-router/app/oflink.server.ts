import { createConnectionStore } from '@oflink/connections';
import { createOflinkHandler } from '@oflink/server';
import { userId } from './auth.server';

// Every oflink route behind one handler; the connections in PostgreSQL (embedded without DATABASE_URL).
export const oflink = createOflinkHandler({
  store: createConnectionStore({ database: process.env.DATABASE_URL }),
  getClientReferenceId: userId,
});
