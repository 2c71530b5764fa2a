/**
 * Start-up stays fast (issue 6; `npm run bench` measures it): a bare `--version` is answered
 * by the bin shim itself, and the paths run on every start load none of the heavy
 * dependencies. The second part reads esbuild's metafile of the build (dist/meta.json), so it
 * holds for the code as bundled, whatever a timing on a busy machine would say.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runCli, sandbox } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');

describe('--version', () => {
  it('prints what commander would print, from the shim', async () => {
    const sb = await sandbox();
    try {
      const { version } = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8')) as { version: string };
      const fast = await runCli(['--version'], sb);
      const short = await runCli(['-V'], sb);
      // Any other argument goes through commander.
      const commander = await runCli(['--quiet', '--version'], sb);
      expect(commander.exitCode).toBe(0);
      expect(commander.stdout).toBe(version);
      for (const r of [fast, short]) {
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe(commander.stdout);
        expect(r.stderr).toBe('');
      }
    } finally {
      await sb.cleanup();
    }
  });
});

interface Metafile {
  outputs: Record<string, {
    entryPoint?: string;
    imports: { path: string; kind: string; external?: boolean }[];
    inputs: Record<string, unknown>;
  }>;
}

/** Everything an output loads before its code runs: its static imports, transitively. */
function staticClosure(meta: Metafile, output: string): { packages: Set<string>; builtins: Set<string> } {
  const packages = new Set<string>();
  const builtins = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const out = meta.outputs[path];
    if (!out) throw new Error(`${path} is not in dist/meta.json`);
    for (const input of Object.keys(out.inputs)) {
      const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) packages.add(m[1]!);
    }
    for (const i of out.imports) {
      if (i.kind !== 'import-statement' && i.kind !== 'require-call') continue;
      if (i.external) builtins.add(i.path.replace(/^node:/, ''));
      else visit(i.path);
    }
  };
  visit(output);
  return { packages, builtins };
}

const HEAVY = ['zod', 'undici', 'conf', 'ora', 'chalk'];

describe('what each start loads', async () => {
  const meta = JSON.parse(await readFile(resolve(root, 'dist/meta.json'), 'utf8')) as Metafile;
  const outputFor = (entry: string) => {
    const found = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === entry);
    if (!found) throw new Error(`no output for ${entry} in dist/meta.json`);
    return found[0];
  };

  it('--help and every command definition: commander and our own code only', () => {
    const { packages, builtins } = staticClosure(meta, outputFor('src/cli/main.ts'));
    expect([...packages]).toEqual(['commander']);
    // The stand-in for child_process (src/util/lazy-child-process.ts) keeps it from loading.
    expect(builtins).not.toContain('child_process');
    expect(builtins).not.toContain('crypto');
  });

  it('a dry run adds neither the HTTP stack, conf, zod nor colours', () => {
    const { packages, builtins } = staticClosure(meta, outputFor('src/cli/run-generate.ts'));
    for (const p of HEAVY) expect(packages).not.toContain(p);
    expect(builtins).not.toContain('crypto');
  });
});
