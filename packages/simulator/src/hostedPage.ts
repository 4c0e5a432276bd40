import { LINK_MESSAGE_TYPE, type LinkPageMessage, type SandboxInfo } from '@oflink/protocol';

/** The `data-step` values of the hosted page root. */
export type PageStep = 'pre-login' | 'login' | '2fa' | 'done' | 'error';

/** A message the page posts to its parent once it loads (besides `loaded` and `sandbox_info`). */
export type PageMessage = DistributiveOmit<
  Extract<LinkPageMessage, { event: 'success' | 'exit' | 'invalid_session' }>,
  'type'
>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What {@link renderPage} needs. */
export interface PageModel {
  /** The `data-step` of the page root. */
  step: PageStep;
  /** `success`, `cancelled`, `error` or `invalid` on terminal pages. */
  outcome?: 'success' | 'cancelled' | 'error' | 'invalid';
  /** Heading of the step. */
  title: string;
  /** Explanation under the heading. */
  text: string;
  /** Inline error shown on the step (role=alert). */
  error?: string;
  /** Prefilled email on the login step. */
  email?: string;
  /** Form action (the session URL with its query). */
  action: string;
  /** Colour theme (`auto` follows prefers-color-scheme). */
  theme: 'light' | 'dark' | 'auto';
  /** The allowed embed origin, when embedded. */
  embedOrigin: string | null;
  /** v4 `{type, event, metadata}` or the flat pre-v4 shape. */
  messageShape: 'v4' | 'legacy';
  /** Step reported in an `exit` answer to `exit_requested`. */
  exitStep: string;
  /** Metadata of `sandbox_info`, or null for keys that are not sandbox keys. */
  sandboxInfo: Required<SandboxInfo> | null;
  /** Whether this page posts `loaded` (the single-page flow says it once per page load). */
  postLoaded: boolean;
  /** The outcome message posted on load, on terminal pages. */
  message: PageMessage | null;
  /** Top-level/popup: navigate here once the page loads. */
  navigateTo: string | null;
}

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const CSS = `
:root{color-scheme:light;--bg:#f6f7f9;--card:#fff;--fg:#15171a;--muted:#5b6270;--accent:#0a66d8;--err:#b00020;--border:#d5d9e0}
[data-theme=dark]{color-scheme:dark;--bg:#101216;--card:#1a1d23;--fg:#eef0f3;--muted:#a4abb8;--accent:#5aa2ff;--err:#ff7a8a;--border:#333843}
@media (prefers-color-scheme:dark){[data-theme=auto]{color-scheme:dark;--bg:#101216;--card:#1a1d23;--fg:#eef0f3;--muted:#a4abb8;--accent:#5aa2ff;--err:#ff7a8a;--border:#333843}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:400px;margin:0 auto;padding:32px 24px;background:var(--card);min-height:100vh}
h1{font-size:20px;margin:0 0 8px}p{color:var(--muted)}label{display:block;margin:14px 0 4px;font-weight:600}
input{width:100%;padding:10px;border:1px solid var(--border);border-radius:8px;background:var(--card);color:var(--fg);font:inherit}
.actions{display:flex;flex-direction:row-reverse;gap:8px;margin-top:20px}button{flex:1;padding:10px;border-radius:8px;border:1px solid var(--border);font:inherit;cursor:pointer;background:transparent;color:var(--fg)}
button[data-action=continue],button[data-action=submit]{background:var(--accent);border-color:var(--accent);color:#fff}
[role=alert]{color:var(--err);font-weight:600}.badge{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}`;

// Runs in the hosted page. It only ever posts to the allowed embed origin and only listens to
// messages from that origin and from the parent window.
const SCRIPT = `(function(){
var T=${JSON.stringify(LINK_MESSAGE_TYPE)};
var c=JSON.parse(document.getElementById('oflink-config').textContent);
var framed=window.parent&&window.parent!==window;
function post(event,metadata){
  if(!c.embedOrigin||!framed)return;
  var m;
  if(c.shape==='legacy'){m={type:T,event:event==='exit'?'close':event};if(metadata)for(var k in metadata)if(k!=='type'&&k!=='event')m[k]=metadata[k];}
  else{m={type:T,event:event};if(metadata!==undefined)m.metadata=metadata;}
  window.parent.postMessage(m,c.embedOrigin);
}
var ended=!!c.message;
if(c.postLoaded)post('loaded');
if(c.sandbox)post('sandbox_info',c.sandbox);
if(c.message)post(c.message.event,c.message.metadata);
if(!c.embedOrigin&&c.navigateTo){window.location.replace(c.navigateTo);}
window.addEventListener('message',function(e){
  if(!c.embedOrigin||e.origin!==c.embedOrigin||e.source!==window.parent)return;
  var d=e.data;
  if(!d||d.type!==T||d.event!=='exit_requested'||ended)return;
  ended=true;
  var body=new URLSearchParams({action:'exit',step:c.exitStep});
  fetch(c.action,{method:'POST',body:body,keepalive:true}).catch(function(){});
  post('exit',{type:d.force?'forced_exit':'user_exit',step:c.exitStep,error:null});
  var root=document.getElementById('link');
  root.setAttribute('data-step','done');root.setAttribute('data-outcome','cancelled');
  root.innerHTML='<h1>Closed</h1>';
});
})();`;

/**
 * Server-render one hosted Link page.
 * @example renderPage({ step: 'login', title: 'Log in', text: '', action: '/cs_1', theme: 'auto', embedOrigin: null, messageShape: 'v4', exitStep: 'login', sandboxInfo: null, postLoaded: true, message: null, navigateTo: null })
 */
export function renderPage(m: PageModel): string {
  const action = esc(m.action);
  const hidden = `<input type="hidden" name="step" value="${esc(m.step)}">`;
  const cancel = `<button type="submit" name="action" value="cancel" data-action="cancel" formnovalidate>Cancel</button>`;
  const err = m.error ? `<p role="alert" id="form-error">${esc(m.error)}</p>` : '';
  const described = m.error ? ' aria-describedby="form-error" aria-invalid="true"' : '';
  let body = '';
  if (m.step === 'pre-login') {
    body = `<form method="post" action="${action}">${hidden}<div class="actions"><button type="submit" name="action" value="continue" data-action="continue">Continue</button>${cancel}</div></form>`;
  } else if (m.step === 'login') {
    body = `<form method="post" action="${action}">${hidden}${err}<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${esc(m.email ?? '')}"${described}><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required${described}><div class="actions"><button type="submit" name="action" value="submit" data-action="submit">Log in</button>${cancel}</div></form>`;
  } else if (m.step === '2fa') {
    body = `<form method="post" action="${action}">${hidden}${err}<label for="code">One-time code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required${described}><div class="actions"><button type="submit" name="action" value="submit" data-action="submit">Verify</button>${cancel}</div></form>`;
  } else if (m.navigateTo && !m.embedOrigin) {
    body = `<p><a href="${esc(m.navigateTo)}" data-action="continue">Return to the app</a></p>`;
  }
  const config = JSON.stringify({
    embedOrigin: m.embedOrigin,
    shape: m.messageShape,
    exitStep: m.exitStep,
    sandbox: m.sandboxInfo,
    postLoaded: m.postLoaded,
    message: m.message,
    navigateTo: m.navigateTo,
    action: m.action,
  }).replace(/</g, '\\u003c');
  const outcome = m.outcome ? ` data-outcome="${m.outcome}"` : '';
  return `<!doctype html>
<html lang="en" data-theme="${m.theme}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${esc(m.title)} · OFAuth Link (simulator)</title><style>${CSS}</style></head>
<body><main id="link" data-step="${m.step}"${outcome}><p class="badge">OFAuth Link · simulator</p><h1>${esc(m.title)}</h1><p>${esc(m.text)}</p>${body}</main>
<script type="application/json" id="oflink-config">${config}</script><script>${SCRIPT}</script></body></html>`;
}
