import type { LinkMode } from '@oflink/react';
import { auth } from '@/auth';
import { ConnectOnlyFans } from './ConnectOnlyFans';

const MODES: readonly LinkMode[] = ['auto', 'popup', 'embed', 'redirect'];

export default async function Home({ searchParams }: { searchParams: Promise<{ mode?: string }> }) {
  const session = await auth();
  if (!session) return <a href="/api/sign-in">Sign in</a>;
  const asked = (await searchParams).mode;
  const mode = MODES.find((m) => m === asked) ?? 'auto';
  return (
    <main>
      <h1>Connect your OnlyFans account</h1>
      <ConnectOnlyFans mode={mode} />
      <a href="/connections">Your accounts</a>
    </main>
  );
}
