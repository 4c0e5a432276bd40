// The entry Node loads (the `node` export condition): the whole package, with OFAuth reached over
// node:http(s) and a keep-alive agent instead of fetch when the app passes no `fetch` option.
// Other runtimes (Workers, Deno, Bun, edge) load src/index.ts, which uses their fetch.
import { nodeTransport } from './nodeTransport';
import { setDefaultTransport } from './upstream';

setDefaultTransport(nodeTransport);

export * from './index';
