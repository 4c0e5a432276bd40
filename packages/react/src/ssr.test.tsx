// @vitest-environment node
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConnectButton } from './ConnectButton';
import { useLinkCallback } from './useLinkCallback';

function Callback() {
  const { outcome } = useLinkCallback();
  return <p>{outcome ? outcome.status : 'Finishing…'}</p>;
}

describe('server render', () => {
  it('renders a neutral, disabled button and the callback page without touching window or document', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    const html = renderToString(
      <QueryClientProvider client={new QueryClient()}>
        <ConnectButton mode="popup" prefetch />
        <Callback />
      </QueryClientProvider>,
    );
    expect(html).toContain('type="button"');
    expect(html).toContain('data-state="idle"');
    expect(html).toContain('disabled=""');
    expect(html).toContain('Connect OnlyFans');
    expect(html).toContain('Finishing…');
  });
});
