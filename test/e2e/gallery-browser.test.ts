/**
 * The gallery in a real browser (Debian's Chromium, driven by playwright-core): opened from
 * disk, every thumbnail decodes, nothing leaves the page, the CSP blocks nothing of its own,
 * and the text holds every prompt, a hostile one included (issue 16). `.ci/install-browser.sh`
 * installs Chromium; set FLUX_KREA_SHOTS_DIR to keep a screenshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { makeFixture, type Fixture } from '../helpers/gallery-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('the gallery in Chromium', () => {
  let sb: Sandbox;
  let fx: Fixture;
  let profile: string;
  beforeAll(async () => {
    sb = await sandbox();
    fx = await makeFixture(sb.dir);
    profile = await mkdtemp(join(tmpdir(), 'fk-chromium-'));
  });
  afterAll(async () => {
    await sb?.cleanup();
    await rm(profile, { recursive: true, force: true });
  });

  it('shows every image and prompt, and loads nothing', async () => {
    const r = await runCli(['gallery', fx.manifest, fx.looseDir, '-o', 'gallery.html', '--title', 'Browser test'], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toBe('gallery.html');

    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      // Any network request at all is answered with an abort, and counted above.
      await context.route(/^(https?|wss?|ftp):/, (route) => route.abort());
      const url = pathToFileURL(join(sb.dir, 'gallery.html')).href;
      await page.goto(url, { waitUntil: 'load' });

      const images = await page.$$eval('img', (imgs) =>
        imgs.map((i) => ({ ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 23) })),
      );
      expect(images).toHaveLength(fx.images);
      expect(images.every((i) => i.ok && i.src === 'data:image/jpeg;base64,')).toBe(true);

      // The document itself is the only request; data: URIs never reach the network.
      expect(requests).toEqual([url]);
      // The inline style is allowed by its hash: a mismatch would be a CSP error here.
      expect(problems).toEqual([]);
      expect(await page.$eval('.card', (el) => el.ownerDocument.defaultView!.getComputedStyle(el).borderRadius)).toBe(
        '8px',
      );

      const text = await page.innerText('body');
      for (const p of fx.prompts) expect(text).toContain(p);
      // The hostile prompt did not become markup or a script.
      expect(await page.$$eval('script', (s) => s.length)).toBe(0);
      expect(problems).toEqual([]);

      if (process.env.FLUX_KREA_SHOTS_DIR)
        await page.screenshot({ path: join(process.env.FLUX_KREA_SHOTS_DIR, 'gallery.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);
});
