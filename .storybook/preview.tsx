import type { Decorator, Preview } from '@storybook/react-vite';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { initialize, mswLoader } from 'msw-storybook-addon';
import { StrictMode, useState } from 'react';
import './stories.css';

// MSW 2 in the browser: the app's session endpoint is answered by each story's handlers. Requests
// no handler claims (Vite modules, the hosted pages) go to the network untouched.
initialize({ onUnhandledRequest: 'bypass', quiet: true });

/** A fresh react-query client per story: no session is ever shared between stories. */
const withQueryClient: Decorator = (Story) => {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: false } } }));
  return (
    <QueryClientProvider client={client}>
      <Story />
    </QueryClientProvider>
  );
};

/** StrictMode everywhere, also under Vitest (which does not read the framework's `strictMode` option). */
const withStrictMode: Decorator = (Story) => (
  <StrictMode>
    <Story />
  </StrictMode>
);

/**
 * Every story starts with no attempt records: a callback story saves the outcome of a redirect
 * attempt for the page the person returns to, and a later story's button would resume it.
 */
function clearAttemptRecords(): void {
  for (const key of Object.keys(sessionStorage))
    if (key.startsWith('oflink:')) sessionStorage.removeItem(key);
}

const preview: Preview = {
  tags: ['autodocs'],
  beforeEach: clearAttemptRecords,
  loaders: [mswLoader],
  decorators: [withQueryClient, withStrictMode],
  parameters: {
    layout: 'centered',
    controls: { expanded: true },
    // each story of a docs page in its own iframe: its own URL (callback stories), its own MSW
    // handlers and its own modal or popup
    docs: { story: { inline: false, iframeHeight: 320 } },
  },
};

export default preview;
