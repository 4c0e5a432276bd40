import { describe, expect, it } from 'vitest';
import { type PageModel, renderPage } from './hostedPage';

const base: PageModel = {
  step: 'login',
  title: 'Log in',
  text: 'Text',
  action: '/cs_1?embed=true',
  theme: 'auto',
  embedOrigin: null,
  messageShape: 'v4',
  exitStep: 'login',
  sandboxInfo: null,
  postLoaded: true,
  message: null,
  navigateTo: null,
};

describe('renderPage', () => {
  it('renders the login step with the test hooks', () => {
    const html = renderPage(base);
    expect(html).toContain('data-step="login"');
    expect(html).toContain('name="email"');
    expect(html).toContain('name="password"');
    expect(html).toContain('data-action="submit"');
    expect(html).toContain('data-action="cancel"');
    expect(html).toContain('action="/cs_1?embed=true"');
  });

  it('escapes the typed email and the inline error, and cannot be broken out of the config script', () => {
    const html = renderPage({
      ...base,
      email: '"><script>x()</script>',
      error: '<b>',
      navigateTo: 'http://localhost/cb?x=</script><script>y()</script>',
    });
    expect(html).not.toContain('<script>x()');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('&lt;b&gt;');
    expect(html).not.toContain('</script><script>y()');
  });

  it('marks an inline error as an alert that describes the inputs', () => {
    const html = renderPage({ ...base, error: 'Wrong password' });
    expect(html).toContain('role="alert" id="form-error"');
    expect(html).toContain('aria-describedby="form-error"');
  });

  it.each(['light', 'dark', 'auto'] as const)('sets data-theme=%s', (theme) => {
    expect(renderPage({ ...base, theme })).toContain(`data-theme="${theme}"`);
  });
});
