import { createLinkHandler } from '@oflink/server';
import { auth } from '@/auth';

export const POST = createLinkHandler({
  getClientReferenceId: async () => (await auth())?.user.id ?? null,
});
