// Next.js App Router: app/api/oflink/session/route.ts
// The whole session endpoint. OFAUTH_API_KEY stays on the server; the browser calls
// POST /api/oflink/session (useLinkSession / <ConnectButton> do it for you).
import { createLinkHandler } from '@oflink/server';

export const POST = createLinkHandler({
  // apiKey: read from process.env.OFAUTH_API_KEY
  baseUrl: process.env.OFAUTH_BASE_URL, // unset → https://api.ofauth.com
  redirectUrl: process.env.OFLINK_REDIRECT_URL, // e.g. https://app.example.com/callback
  // Your signed-in user. Replace with your auth (next-auth, a signed session cookie, …).
  getClientReferenceId: (request) =>
    /(?:^|;\s*)user_id=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1] ?? null,
  onError: (error) => console.error(`[oflink] ${error.code}: ${error.message}`),
});
