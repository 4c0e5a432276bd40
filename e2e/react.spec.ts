// Each project serves a build of the demo against one React version; this proves which one runs.
import { expect, test } from './fixtures';

test('the demo runs on the React version of its build', { tag: ['@react18', '@strict'] }, async ({
  page,
  demoBuild,
}) => {
  await page.goto('/');
  const version = await page.locator('[data-react-version]').getAttribute('data-react-version');
  expect(version?.split('.')[0]).toBe(demoBuild.startsWith('react18') ? '18' : '19');
  await expect(page.locator('button[data-mode]')).toHaveCount(4);
});
