// Proof of "Web Crypto only": the webhook code bundles without Node built-ins and runs in a bare
// JavaScript context that has only Web-standard globals (no process, Buffer or require), as on
// Workers, Deno and Bun.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { createWebhookHandler as CreateWebhookHandler } from './handler';
import type { verifyWebhook as VerifyWebhook } from './verify';

type Esbuild = {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
};
const require = createRequire(import.meta.url);
// esbuild is not a direct dependency: take the one tsup builds the packages with.
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild;

const SECRET = `whsec_${Buffer.from('oflink-server-webhook-secret-32b').toString('base64')}`;

async function bundle(): Promise<string> {
  const result = await esbuild.build({
    stdin: {
      contents:
        "export { verifyWebhook } from './verify';\n" +
        "export { createWebhookHandler } from './handler';\n" +
        "export { WebhookVerificationError } from './error';\n",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    // 'neutral' resolves no Node built-in: an import of node:* (or a Node-only package) fails the build.
    platform: 'neutral',
    format: 'iife',
    globalName: 'oflinkWebhooks',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.text;
}

describe('webhook code outside Node', () => {
  it('bundles with no Node built-in and verifies and handles a webhook with only Web globals', async () => {
    const code = await bundle();
    expect(code).not.toMatch(/\brequire\(|node:/);
    const webGlobals = {
      crypto,
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
      Headers,
      Request,
      Response,
      console,
      AbortController,
      AbortSignal,
      DOMException,
      setTimeout,
      clearTimeout,
    };
    const api = runInNewContext(`${code}\n;oflinkWebhooks`, webGlobals) as {
      verifyWebhook: typeof VerifyWebhook;
      createWebhookHandler: typeof CreateWebhookHandler;
    };
    expect(runInNewContext('typeof process + typeof Buffer + typeof require', webGlobals)).toBe(
      'undefinedundefinedundefined',
    );

    const body = JSON.stringify({
      eventType: 'connection.created',
      live: false,
      data: { connection: { id: 'conn_w', status: 'active' }, clientReferenceId: 'u1' },
    });
    const now = new Date();
    const headers = {
      'svix-id': 'msg_edge',
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': new Webhook(SECRET).sign('msg_edge', now, body),
    };
    const event = await api.verifyWebhook(body, headers, SECRET);
    expect(event).toMatchObject({
      id: 'msg_edge',
      type: 'connection.created',
      data: { clientReferenceId: 'u1' },
    });

    const seenTypes: string[] = [];
    const handler = api.createWebhookHandler({
      secret: SECRET,
      on: { '*': (e) => void seenTypes.push(e.type) },
    });
    const ok = await handler(new Request('https://edge.example/hooks', { method: 'POST', headers, body }));
    expect(ok.status).toBe(200);
    const forged = await handler(
      new Request('https://edge.example/hooks', { method: 'POST', headers, body: body.replace('u1', 'u2') }),
    );
    expect(forged.status).toBe(401);
    expect(seenTypes).toEqual(['connection.created']);
    // Without process.env, a missing secret is a typed 500 at request time, never a crash.
    const unset = api.createWebhookHandler({ on: {}, onError: () => undefined });
    const misconfigured = await unset(
      new Request('https://edge.example/hooks', { method: 'POST', headers, body }),
    );
    expect(misconfigured.status).toBe(500);
    expect(await misconfigured.json()).toMatchObject({ error: { code: 'server_misconfigured' } });
  });
});
