// Child process of measure 3, so the servers do not share an event loop with autocannon.
//   servers.ts simulator          → starts the simulator (no latency, no session limit)
//   servers.ts fronts <url> <key> → starts the createLinkHandler server, the two bare proxies (fetch, node:http), the bare fetch proxy as a Fetch handler, createLinkHandler behind @hono/node-server, and a reader of the process's CPU time
// Each prints one JSON line with its URLs on stdout, then serves until killed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '@oflink/simulator';
import {
  bareHttpProxy,
  bareProxy,
  fetchHandlerProxy,
  honoEndpoint,
  type NodeListener,
  sessionEndpoint,
} from './endpoint';

async function listen(listener: NodeListener): Promise<string> {
  const server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const [role, simulatorUrl, apiKey] = process.argv.slice(2);
if (role === 'simulator') {
  // maxOpenSessions left unset: unlimited; the parent resets the simulator between rounds
  const sim = await startSimulator({ port: 0, quiet: true, latencyMs: 0 });
  process.stdout.write(`${JSON.stringify({ url: sim.url, apiKey: sim.apiKey })}\n`);
} else if (role === 'fronts' && simulatorUrl && apiKey) {
  const helper = await sessionEndpoint(simulatorUrl, apiKey, []);
  const out = {
    kind: helper.kind,
    // which file @oflink/server resolved to: the parent checks it is the built package
    server: fileURLToPath(import.meta.resolve('@oflink/server')),
    helper: await listen(helper.listener),
    bare: await listen(bareProxy(simulatorUrl, apiKey)),
    bareHttp: await listen(bareHttpProxy(simulatorUrl, apiKey)),
    floor: await listen(await fetchHandlerProxy(simulatorUrl, apiKey)),
    hono: await listen(await honoEndpoint(simulatorUrl, apiKey)),
    // this process's CPU time so far: the parent reads it around each round of one endpoint
    cpu: await listen((_req, res) => {
      const { user, system } = process.cpuUsage();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ us: user + system }));
    }),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  process.stderr.write('usage: servers.ts simulator | servers.ts fronts <simulatorUrl> <apiKey>\n');
  process.exit(2);
}
