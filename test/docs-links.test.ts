// Every relative link between the project's Markdown files leads somewhere: the file exists and,
// when the link names a heading (#anchor), that heading is there. Docs are read by operators who
// follow those links; a renamed section or moved file would otherwise break them silently.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../core/paths.js';

const root = projectRoot();

const blank = (code: string): string => code.replace(/[^\n]/g, ' ');

/** The text with fenced code blocks blanked (a `#` there is no heading), lines kept. */
function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, blank);
}

/** The text with fenced code blocks and inline code blanked (their brackets are not links), lines kept. */
function proseOf(text: string): string {
  return withoutFences(text).replace(/`[^`\n]*`/g, blank);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2 … */
function anchorsOf(file: string, cache: Map<string, ReadonlySet<string>>): ReadonlySet<string> {
  const known = cache.get(file);
  if (known) return known;
  const anchors = new Set<string>();
  const repeats = new Map<string, number>();
  for (const [, heading] of withoutFences(readFileSync(file, 'utf8')).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const words = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const slug = words.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const seen = repeats.get(slug) ?? 0;
    repeats.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  for (const [, id] of readFileSync(file, 'utf8').matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(id!);
  cache.set(file, anchors);
  return anchors;
}

/** `[text](target)` and `[label]: target` links to files of the project (not to other sites). */
function relativeLinks(text: string): Array<{ target: string; line: number }> {
  const prose = proseOf(text);
  const links: Array<{ target: string; line: number }> = [];
  for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\[[^\]]+\]:\s*(\S+)/gm)) {
    const target = (match[1] ?? match[2])!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    links.push({ target, line: prose.slice(0, match.index).split('\n').length });
  }
  return links;
}

describe('docs links', () => {
  it('every relative link in a Markdown file of the project reaches its file and heading', () => {
    const files = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    const cache = new Map<string, ReadonlySet<string>>();
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      const path = resolve(root, file);
      if (!existsSync(path)) continue; // deleted in the working tree, not yet in the index
      for (const { target, line } of relativeLinks(readFileSync(path, 'utf8'))) {
        checked++;
        const [to = '', anchor] = target.split('#');
        const dest = to === '' ? path : resolve(dirname(path), decodeURIComponent(to));
        const where = `${file}:${line} → ${target}`;
        if (!existsSync(dest)) broken.push(`${where}: no such file`);
        else if (anchor !== undefined && dest.endsWith('.md') && !statSync(dest).isDirectory() && !anchorsOf(dest, cache).has(decodeURIComponent(anchor))) {
          broken.push(`${where}: no heading #${anchor} in ${relative(root, dest)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(broken).toEqual([]);
  });

  it('finds a link to a missing file and to a missing heading (the check itself)', () => {
    expect(relativeLinks('see [ops](docs/operations.md#when-redis-goes-away) and [x](https://example.com)\n[ref]: ../a.md')).toEqual([
      { target: 'docs/operations.md#when-redis-goes-away', line: 1 },
      { target: '../a.md', line: 2 },
    ]);
    expect(relativeLinks('```\n[not](a-link.md)\n```\n`[nor](this.md)`')).toEqual([]);
    const cache = new Map<string, ReadonlySet<string>>();
    const anchors = anchorsOf(resolve(root, 'docs/operations.md'), cache);
    expect(anchors.has('when-redis-goes-away')).toBe(true);
    expect(anchors.has('when-redis-went-away')).toBe(false);
    expect(anchorsOf(resolve(root, 'docs/events.md'), cache).has('kind-loanapplication')).toBe(true); // ## Kind `loan.application`
  });
});
