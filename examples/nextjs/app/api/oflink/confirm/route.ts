import { createConfirmHandler } from '@oflink/server';
import { auth } from '@/auth';
import { connections } from '@/connections';

export const POST = createConfirmHandler({
  getClientReferenceId: async () => (await auth())?.user.id ?? null,
  onConfirmed: (connection, userId) => connections.save(userId, connection),
});
