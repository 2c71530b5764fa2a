/** The gallery page: what it reads, how it groups, and that hostile text stays text (issue 16). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeFixture, HOSTILE, type Fixture } from '../helpers/gallery-fixture.js';
import { writeGallery } from '../../src/output/gallery/index.js';
import { collect, entryGroup } from '../../src/output/gallery/collect.js';
import { escapeHtml, hrefOf } from '../../src/output/gallery/html.js';
import { againCommand, generateCommand, shellQuote } from '../../src/output/gallery/command.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
let fx: Fixture;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fk-gallery-'));
  fx = await makeFixture(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('collect', () => {
  it('reads a manifest through every shard lock, merged', async () => {
    const { items } = await collect([fx.manifest]);
    expect(items.map((i) => i.group).sort()).toEqual([
      'broken',
      'evil',
      'fox',
      'fox',
      'lighthouse',
      'lighthouse',
      'lighthouse',
      'lighthouse',
    ]);
    const failed = items.find((i) => i.group === 'broken')!;
    expect(failed).toMatchObject({ state: 'failed', error: 'FAILED: content blocked <b>' });
    expect(failed.file).toBeUndefined();
    expect(items.find((i) => i.requestId === 'req-fox')).toMatchObject({
      seed: 1234,
      prompt: 'a red fox in snow',
      recorded: false,
    });
  });

  it('gives the same items from the lock files named directly, once each', async () => {
    const viaManifest = await collect([fx.manifest]);
    const viaLocks = await collect([...fx.locks, fx.manifest]);
    expect(viaLocks.items).toEqual(viaManifest.items);
  });

  it('reads a folder of images with embedded records, sidecars, or none', async () => {
    const { items } = await collect([fx.looseDir]);
    expect(items.map((i) => [i.prompt, i.recorded, i.requestId])).toEqual([
      ['a cat, sidecar', true, 'req-cat.jpg'],
      ['an owl, embedded', true, 'req-owl.png'],
      ['', false, null],
    ]);
  });

  it('refuses what it cannot read, naming it (exit 2)', async () => {
    await expect(collect([join(dir, 'nope')])).rejects.toThrow(/cannot read .*nope \(ENOENT\)/);
    const orphan = join(dir, 'orphan.jsonl');
    await writeFile(orphan, '{"prompt": "x"}\n');
    const e = await collect([orphan]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/orphan\.jsonl is neither a lock file nor a manifest with one/);
  });

  it('groups repeats and sweep cells under their entry', () => {
    expect(['hero', 'hero#2', 'pets[animal=fox]', 'x@1', 'a-lighthouse-3f2a'].map(entryGroup)).toEqual([
      'hero',
      'hero',
      'pets',
      'x',
      'a-lighthouse-3f2a',
    ]);
  });
});

describe('the page', () => {
  let html: string;
  beforeAll(async () => {
    const r = await writeGallery({
      inputs: [fx.manifest, fx.looseDir],
      out: join(dir, 'gallery.html'),
      title: 'T <1>',
    });
    expect(r).toMatchObject({ cards: 11, groups: 7 });
    html = await readFile(join(dir, 'gallery.html'), 'utf8');
  });

  it('has a strict CSP: no script, no font, no load but data: images and its own style', () => {
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'sha256-[A-Za-z0-9+/=]+'; base-uri 'none'; form-action 'none'">/,
    );
    expect(html).not.toMatch(/<script|https?:\/\/|@import|url\(/i);
  });

  it('keeps a hostile prompt as text, in the page and in the command', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain(escapeHtml(generateCommand({ prompt: HOSTILE })).slice(0, 40));
    expect(html).toContain('req-&lt;evil&gt;');
    expect(html).toContain('FAILED: content blocked &lt;b&gt;');
    expect(html).toContain('<title>T &lt;1&gt;</title>');
  });

  it('embeds a thumbnail per image and links the full file relative to the page', () => {
    const thumbs = html.match(/<img src="data:image\/jpeg;base64,[A-Za-z0-9+/=]+" width="\d+" height="\d+"/g) ?? [];
    expect(thumbs).toHaveLength(fx.images);
    expect(html).toContain('href="art/sweep/lighthouse-s1-g2.png"');
    expect(html).toContain('href="art/evil%20%231%20%3F.png"');
    expect(html).toContain('href="loose/owl.png"');
  });

  it('lays a sweep out as a grid of its varying parameters', () => {
    const section = html.slice(
      html.indexOf('<h2>lighthouse</h2>'),
      html.indexOf('</section>', html.indexOf('<h2>lighthouse</h2>')),
    );
    expect(section).toContain('<table class="grid">');
    expect(section).toMatch(/<th>guidance \\ seed<\/th><th>seed = 1<\/th><th>seed = 2<\/th>/);
    expect(section.indexOf('guidance = 2')).toBeLessThan(section.indexOf('guidance = 5'));
  });

  it('gives each card a command: again for recorded images, the full command otherwise', () => {
    expect(html).toContain('flux-krea again loose/owl.png');
    expect(html).toContain(escapeHtml("flux-krea 'a red fox in snow' --aspect 1:1 --megapixels 0.25 -"));
  });
});

describe('helpers', () => {
  it('escapes every character that matters in text and attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('encodes path segments, so a name is never a scheme, a fragment or a query', () => {
    expect(hrefOf('../out/a b#c?.png')).toBe('../out/a%20b%23c%3F.png');
    expect(hrefOf('javascript:alert(1).png')).toBe('javascript%3Aalert(1).png');
  });

  it('builds commands that a shell reads back word for word', () => {
    const params = {
      prompt: `it's $HOME \`x\` "q"\nline2`,
      seed: 7,
      aspect_ratio: '21:9',
      go_fast: false,
      disable_safety_checker: true,
    };
    const cmd = generateCommand(params);
    expect(cmd).toBe(
      `flux-krea 'it'\\''s $HOME \`x\` "q"\nline2' --aspect 21:9 --seed 7 --no-go-fast --disable-safety-checker`,
    );
    const words = execFileSync('sh', ['-c', `for w in ${cmd.replace(/^flux-krea /, '')}; do printf '%s\\0' "$w"; done`])
      .toString()
      .split('\0');
    expect(words[0]).toBe(params.prompt);
    expect(generateCommand({ prompt: '-dash', seed: 1 })).toBe('flux-krea --seed 1 -- -dash');
    expect(againCommand('-x.png')).toBe('flux-krea again ./-x.png');
    expect(shellQuote('a b')).toBe("'a b'");
  });
});
