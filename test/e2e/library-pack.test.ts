/**
 * The library as a user installs it: `npm pack`, install the tarball into an empty project
 * that has no zod and no undici, compile the README's library snippet with tsc against the
 * packed types, and run it against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { imageInfo } from '../helpers/images.js';

const root = resolve(import.meta.dirname, '../..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let dir: string;
let project: string;
let emu: Emulator;
let compiled: { exitCode?: number; stdout: string };

/** The first ```ts block of the README's library section: the snippet users copy. */
async function readmeSnippet(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it as a library'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README: no ```ts block in "Using it as a library"');
  return match[1]!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-lib-pack-'));
  // --ignore-scripts: `npm test` has built the tree; packing must not rebuild under vitest.
  const packed = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root });
  const tarball = join(dir, JSON.parse(packed.stdout)[0].filename);
  project = join(dir, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'script', private: true, type: 'module' }));
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
    cwd: project,
  });
  // The bundle carries zod and undici: they are not dependencies, so npm installs neither (the
  // first test checks), and the packed types must not need them.
  // A TypeScript user of a Node library has Node's types.
  await symlink(join(root, 'node_modules', '@types'), join(project, 'node_modules', '@types'), 'dir');
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        // Our .d.ts files are checked too: a type that needs zod or undici fails here.
        skipLibCheck: false,
        types: ['node'],
        outDir: 'out',
      },
      files: ['snippet.ts', 'wrong.ts'],
    }),
  );
  await writeFile(join(project, 'snippet.ts'), await readmeSnippet());
  // Mistakes the types must catch. tsc still emits out/snippet.js (noEmitOnError is off).
  await writeFile(
    join(project, 'wrong.ts'),
    [
      "import { SegmindClient } from 'flux-krea';",
      "await new SegmindClient().submit({ prompt: 'x', aspect_ratio: '22:9' });",
      'await new SegmindClient().submit({});',
    ].join('\n'),
  );
  // One tsc run for every check: it is the slow part of this file.
  compiled = await execa(process.execPath, [tsc, '-p', '.', '--listFiles'], { cwd: project, reject: false });
  // Done at the second poll: without history the library polls a job at about 2 s, 4 s, 8 s…
  // after its submit, so a job done only at the third poll costs this file seconds for nothing
  // it checks (the snippet still sees QUEUED, then COMPLETED).
  emu = await startEmulator({ processingPolls: 0 });
}, 180_000);
afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the packed library', () => {
  it('the README snippet type-checks against the packed types, without zod or undici installed', () => {
    expect(existsSync(join(project, 'node_modules', 'zod'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'undici'))).toBe(false);
    const errors = compiled.stdout.split('\n').filter((l) => /error TS/.test(l));
    // Only wrong.ts may fail: not the snippet, not our declarations.
    expect(
      errors.filter((l) => !l.startsWith('wrong.ts(')),
      compiled.stdout,
    ).toEqual([]);
    const ours = compiled.stdout.split('\n').filter((f) => f.includes('node_modules/flux-krea/'));
    // Only the public modules are reachable from the entry: none of the internals' types.
    expect(ours.map((f) => f.replace(/.*dist\/types\//, '')).sort()).toEqual([
      'errors.d.ts',
      'index.d.ts',
      'library-types.d.ts',
      'library.d.ts',
      'version.d.ts',
    ]);
  });

  it('a wrong parameter fails to compile: every parameter but prompt is optional, and typed', () => {
    expect(compiled.exitCode).not.toBe(0);
    expect(compiled.stdout).toMatch(
      /wrong\.ts\(2,\d+\): error TS2322: Type '"22:9"' is not assignable to type 'AspectRatio/,
    );
    expect(compiled.stdout).toMatch(/wrong\.ts\(3,\d+\): error[^\n]*\n[^\n]*Property 'prompt' is missing/);
  });

  it('the compiled snippet runs against the emulator: generate saves, submit → wait → save', async () => {
    const r = await execa(process.execPath, ['out/snippet.js'], {
      cwd: project,
      reject: false,
      extendEnv: false,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        SEGMIND_API_KEY: emu.apiKey,
        SEGMIND_BASE_URL: emu.url,
        SEGMIND_UPLOAD_URL: emu.uploadUrl,
      },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    // generate's 2 images and the job's 2, all in art/.
    const art = await readdir(join(project, 'art'));
    expect(art).toHaveLength(4);
    expect(emu.submits()).toBe(2);
    const paper = art.filter((f) => f.startsWith('a-paper-boat-'));
    expect(paper).toHaveLength(2);
    expect(await imageInfo(join(project, 'art', paper[0]!))).toMatchObject({ format: 'jpg', width: 1536, height: 640 });
    expect(r.stderr).toMatch(/QUEUED[\s\S]*COMPLETED/);
  }, 60_000);
});
