// The README's quick start is the Next.js example: each block that names a file of it must be that
// file, to the character; each block of the other frameworks is an excerpt of the example file it
// names. So the README never drifts from the apps the examples suite builds and runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeBlocks } from './markdown';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README quick start', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Other frameworks'));
  const frameworks = readme.slice(readme.indexOf('## Other frameworks'), readme.indexOf('## Packages'));
  const named = codeBlocks(section)
    .filter((b) => b.lang === 'ts' || b.lang === 'tsx')
    .map((b) => {
      const [first, ...rest] = b.body.split('\n');
      return { path: /^\/\/ (\S+)$/.exec(first ?? '')?.[1], body: rest.join('\n') };
    });

  it('names a file of examples/nextjs in every TypeScript block', () => {
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const block of named)
      expect(block.path && existsSync(join(root, 'examples', 'nextjs', block.path))).toBe(true);
  });

  it.each(named.map((b) => [b.path ?? '(no path)', b.body]))(
    'shows %s exactly as the example has it',
    (path, body) => {
      expect(body).toBe(readFileSync(join(root, 'examples', 'nextjs', path), 'utf8'));
    },
  );

  it('shows, for every other framework, lines the example file it names holds as they are', () => {
    const excerpts = codeBlocks(frameworks).filter((b) => ['js', 'ts', 'tsx'].includes(b.lang));
    expect(excerpts.length).toBeGreaterThanOrEqual(3);
    for (const block of excerpts) {
      const [first, ...rest] = block.body.split('\n');
      const path = /^\/\/ (examples\/[^\s:]+)/.exec(first ?? '')?.[1] ?? '(no path)';
      expect(existsSync(join(root, path)), path).toBe(true);
      expect(readFileSync(join(root, path), 'utf8')).toContain(rest.join('\n').trim());
      // the glue a framework needs, beyond the app's own sign-in: at most 5 lines
      expect(rest.filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(5);
    }
  });

  it('sets the variables and simulator flags the example is run with', () => {
    for (const variable of [
      'OFAUTH_API_KEY',
      'OFAUTH_BASE_URL',
      'OFAUTH_REDIRECT_URL',
      'OFAUTH_WEBHOOK_SECRET',
    ])
      expect(section).toContain(`${variable}=`);
    expect(section).toContain('npx @oflink/simulator --port 4010');
  });
});
