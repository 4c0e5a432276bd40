import { type ComponentType, version } from 'react';
import { CallbackPage } from './pages/CallbackPage';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { ConnectPage } from './pages/ConnectPage';
import { Link, usePathname } from './router';

const PAGES: Record<string, ComponentType> = {
  '/': ConnectPage,
  '/callback': CallbackPage,
  '/connections': ConnectionsPage,
};

function NotFound() {
  return (
    <section className="panel centered">
      <h1>Page not found</h1>
      <Link href="/" className="button button-primary">
        Go to Connect
      </Link>
    </section>
  );
}

/** The demo app's name and logo, linking home. */
function Brand() {
  return (
    <Link href="/" className="brand" aria-label="Northlight home">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path
          d="M9 22V10l14 12V10"
          fill="none"
          stroke="#fff"
          strokeWidth="3"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <span>Northlight</span>
    </Link>
  );
}

/** The shell: header with navigation, the page for the current path, and a small footer. */
export function App() {
  const path = usePathname().replace(/\/+$/, '') || '/';
  const Page = PAGES[path] ?? NotFound;
  const nav = (href: string, label: string) => (
    <Link href={href} className="nav-link" aria-current={path === href ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <div className="shell">
      <header className="topbar">
        <div className="topbar-inner">
          <Brand />
          <nav aria-label="Main">
            {nav('/', 'Connect')}
            {nav('/connections', 'Connections')}
          </nav>
        </div>
      </header>
      <main className="content">
        <Page />
      </main>
      <footer className="footer">
        <span>Northlight is a demo of oflink: OFAuth Link for React.</span>
        <span data-react-version={version}>React {version}</span>
      </footer>
    </div>
  );
}
