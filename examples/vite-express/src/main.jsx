import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Callback } from './Callback.jsx';
import { Connections } from './Connections.jsx';
import { ConnectOnlyFans } from './ConnectOnlyFans.jsx';

const client = new QueryClient();
const mode = new URLSearchParams(window.location.search).get('mode') ?? 'auto';
const pages = { '/oflink/callback': <Callback />, '/connections': <Connections /> };
const page = pages[window.location.pathname] ?? <ConnectOnlyFans mode={mode} />;

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <QueryClientProvider client={client}>{page}</QueryClientProvider>
  </StrictMode>,
);
