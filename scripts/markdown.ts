// Reading Markdown for the tests that keep documentation and code together.

/** Every fenced code block of a Markdown text: its language and its lines. */
export function codeBlocks(markdown: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown))
    blocks.push({ lang: m[1] ?? '', body: m[2] ?? '' });
  return blocks;
}
