// Every example server answers the requests oflink refuses with its JSON error, and goes on
// serving: a refusal never cancels the request body the host's adapter still writes into (React
// Router's Node listener exits the process when it does).
import { expect, test } from './fixtures';

const JSON_TYPE = { 'content-type': 'application/json' };

test('refusals are JSON errors, and the server still serves after them', async ({ request }) => {
  const cases: [string, Promise<import('@playwright/test').APIResponse>, number, string][] = [
    [
      'text/plain',
      request.post('/api/oflink/session', { headers: { 'content-type': 'text/plain' }, data: 'x' }),
      415,
      'unsupported_media_type',
    ],
    [
      'cross-site',
      request.post('/api/oflink/session', {
        headers: { ...JSON_TYPE, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        data: '{}',
      }),
      403,
      'forbidden_origin',
    ],
    [
      '100 kB',
      request.post('/api/oflink/session', { headers: JSON_TYPE, data: `"${'a'.repeat(100_000)}"` }),
      413,
      'body_too_large',
    ],
    ['GET', request.get('/api/oflink/session'), 405, 'method_not_allowed'],
    [
      'text/plain confirm',
      request.post('/api/oflink/confirm', { headers: { 'content-type': 'text/plain' }, data: 'x' }),
      415,
      'unsupported_media_type',
    ],
    ['a DELETE of nobody', request.delete('/api/oflink/connections/conn_nobody'), 401, 'unauthenticated'],
  ];
  for (const [what, sent, status, code] of cases) {
    const res = await sent;
    expect([what, res.status(), ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
      what,
      status,
      code,
    ]);
    expect((await request.get('/')).status()).toBe(200);
  }
});
