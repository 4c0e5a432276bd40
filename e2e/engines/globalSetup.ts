// The demo's production build, made when it is missing or older than its sources (the same step as
// the Playwright suite's).
import buildDemoClients from '../globalSetup';

export default function setup(): void {
  buildDemoClients();
}
