/**
 * `config set|get|unset|list|path` and the precedence of saved defaults, run through main()
 * in-process (runMain). Precedence is read from `--dry-run --json`, which needs neither a key nor a server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await sandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

const configFile = () => join(sb.configDir, 'config.json');
const out = (r: { stdout?: unknown }) => String(r.stdout);
const err = (r: { stderr?: unknown }) => String(r.stderr);

async function dryRun(args: string[] = [], env: Record<string, string> = {}, cwd = sb.dir) {
  // HOME stays the sandbox: a project file is looked for up to home (or a repo root).
  const r = await runMain(['a lighthouse', '--dry-run', '--json', ...args], sb, {
    env: { ...sb.env, HOME: sb.dir, ...env },
    cwd,
  });
  expect(r.exitCode, err(r)).toBe(0);
  return JSON.parse(out(r)) as { body: Record<string, unknown>; sources: Record<string, string> };
}

describe('config', () => {
  it('set stores a checked value under the flag name in a 0600 file; get prints it; unset removes it', async () => {
    const set = await runMain(['config', 'set', 'output_format', 'PNG'], sb);
    expect(set.exitCode, err(set)).toBe(0);
    expect(err(set)).toContain(configFile());
    expect((await stat(configFile())).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(configFile(), 'utf8')).defaults).toEqual({ format: 'png' });

    // Any spelling of the key reaches the same setting; numbers and booleans keep their type.
    await runMain(['config', 'set', 'guidance', '3.5'], sb);
    await runMain(['config', 'set', 'go_fast', 'off'], sb);
    await runMain(['config', 'set', 'seed', '-42'], sb);
    expect(JSON.parse(await readFile(configFile(), 'utf8')).defaults).toEqual({
      format: 'png',
      guidance: 3.5,
      'go-fast': false,
      seed: -42,
    });

    const get = await runMain(['config', 'get', 'format'], sb);
    expect([get.exitCode, out(get)]).toEqual([0, 'png']);
    expect(out(await runMain(['config', 'get', 'guidance'], sb))).toBe('3.5');

    const unset = await runMain(['config', 'unset', 'output-format'], sb);
    expect(unset.exitCode).toBe(0);
    expect(out(await runMain(['config', 'get', 'format'], sb))).toBe('jpg');
    const again = await runMain(['config', 'unset', 'format'], sb);
    expect([again.exitCode, err(again)]).toEqual([0, expect.stringContaining('was not saved')]);
  });

  it('path prints the user config file', async () => {
    const r = await runMain(['config', 'path'], sb);
    expect([r.exitCode, out(r)]).toEqual([0, configFile()]);
  });

  it('list shows every key with its value and source, as text and JSON', async () => {
    await runMain(['config', 'set', 'aspect', '1:1'], sb);
    const text = await runMain(['config', 'list'], sb);
    expect(text.exitCode).toBe(0);
    expect(out(text)).toMatch(new RegExp(`^aspect +1:1 +user \\(${configFile()}\\)$`, 'm'));
    expect(out(text)).toMatch(/^format +jpg +default$/m);
    expect(out(text)).toMatch(/^seed +- +not set$/m);

    const json = JSON.parse(
      out(await runMain(['config', 'list', '--json'], { ...sb, env: { ...sb.env, FLUX_KREA_FORMAT: 'webp' } })),
    ).settings;
    expect(json.aspect).toEqual({ value: '1:1', source: 'user', where: configFile(), api_name: 'aspect_ratio' });
    expect(json.format).toMatchObject({ value: 'webp', source: 'env', where: 'FLUX_KREA_FORMAT' });
    expect(json.out).toMatchObject({ value: '.', source: 'default' });
    expect(json).not.toHaveProperty('json');
    expect(json).not.toHaveProperty('prompt');
  });

  it('refuses a bad value with exit 2 and the same message as the flag, saving nothing', async () => {
    const viaFlag = await runMain(['a cat', '--aspect', '16x9', '--dry-run'], sb);
    const viaConfig = await runMain(['config', 'set', 'aspect', '16x9'], sb);
    expect(viaConfig.exitCode).toBe(2);
    expect(viaFlag.exitCode).toBe(2);
    expect(err(viaConfig)).toBe(err(viaFlag));
    expect(err(viaConfig)).toContain('Did you mean 16:9?');
    await expect(stat(configFile())).rejects.toThrow();

    const range = await runMain(['config', 'set', 'steps', '99'], sb);
    expect([range.exitCode, err(range)]).toEqual([
      2,
      expect.stringContaining('--steps: "99" is not allowed; use a whole number from 1 to 50'),
    ]);
  });

  it('refuses a path of only spaces from every source, naming the source and the value', async () => {
    const flag = await runMain(['a cat', '--out', ' ', '--dry-run'], sb);
    expect([flag.exitCode, err(flag)]).toEqual([
      2,
      expect.stringContaining('--out: " " is not allowed; use a non-empty value.'),
    ]);
    const env = await runMain(['a cat', '--dry-run'], sb, { env: { ...sb.env, FLUX_KREA_OUT: '\t' } });
    expect([env.exitCode, err(env)]).toEqual([2, expect.stringContaining('FLUX_KREA_OUT: "\\t" is not allowed')]);
    const set = await runMain(['config', 'set', 'out', '  '], sb);
    expect([set.exitCode, err(set)]).toEqual([2, expect.stringContaining('--out: "  " is not allowed')]);
    await expect(stat(configFile())).rejects.toThrow();
    await writeFile(join(sb.dir, 'flux-krea.config.json'), JSON.stringify({ out: ' ' }));
    const project = await runMain(['a cat', '--dry-run'], sb, { env: { ...sb.env, HOME: sb.dir } });
    expect([project.exitCode, err(project)]).toEqual([2, expect.stringContaining('out: " " is not allowed')]);
  });

  it('names a list or an object from a JSON file as written', async () => {
    await writeFile(join(sb.dir, 'flux-krea.config.json'), JSON.stringify({ 'num-outputs': [1], aspect: [] }));
    const r = await runMain(['a cat', '--dry-run'], sb, { env: { ...sb.env, HOME: sb.dir } });
    expect(r.exitCode).toBe(2);
    expect(err(r)).toMatch(/num-outputs: \[1\] is not allowed|aspect: \[\] is not allowed/);
    expect(err(r)).not.toContain('Did you mean');
  });

  it('refuses unknown keys with a did-you-mean, and keys that are not defaults', async () => {
    const typo = await runMain(['config', 'set', 'formt', 'png'], sb);
    expect([typo.exitCode, err(typo)]).toEqual([2, expect.stringContaining('Did you mean format?')]);
    const notSaved = await runMain(['config', 'set', 'dry-run', 'true'], sb);
    expect([notSaved.exitCode, err(notSaved)]).toEqual([2, expect.stringContaining('cannot be saved as a default')]);
    expect((await runMain(['config', 'get', 'nope'], sb)).exitCode).toBe(2);
  });

  it('a hand-edited bad default is reported with the file it is in', async () => {
    await mkdir(sb.configDir, { recursive: true });
    await writeFile(configFile(), JSON.stringify({ defaults: { format: 'gif' } }));
    const r = await runMain(['a cat', '--dry-run'], sb);
    expect(r.exitCode).toBe(2);
    expect(err(r)).toContain(`${configFile()}: format: "gif" is not allowed`);
    // The way out still works.
    expect((await runMain(['config', 'unset', 'format'], sb)).exitCode).toBe(0);
    expect((await runMain(['a cat', '--dry-run'], sb)).exitCode).toBe(0);
  });
});

describe('precedence: flag > environment > project file > user config > built-in default', () => {
  it('the human --dry-run lists every value sent and only the settings not left at their default', async () => {
    const r = await runMain(['a lighthouse', '--dry-run', '-o', 'art', '--concurrency', '3'], sb, {
      env: { ...sb.env, HOME: sb.dir },
    });
    expect(r.exitCode, err(r)).toBe(0);
    const lines = err(r).slice(err(r).indexOf('Where each value came from:')).split('\n');
    const listed = lines.slice(1).map((l) => l.trim().split(/\s+/)[0]);
    // Sent: every model value, the random seed among them.
    for (const k of ['aspect_ratio', 'num_outputs', 'output_format', 'seed']) expect(listed).toContain(k);
    expect(lines.find((l) => l.trim().startsWith('seed'))).toMatch(/random/);
    // Set by a flag: shown with the flag; left at the default and not sent: not shown.
    expect(lines.find((l) => l.trim().startsWith('out '))).toMatch(/flag \(-o\)|flag \(--out\)/);
    expect(lines.find((l) => l.trim().startsWith('concurrency'))).toMatch(/flag/);
    for (const k of ['max_jobs', 'rpm', 'fail_fast', 'quiet', 'json', 'timeout']) expect(listed).not.toContain(k);
  });

  it('each layer wins over the ones below it, and --dry-run says where each value came from', async () => {
    for (const [k, v] of [
      ['format', 'png'],
      ['aspect', '1:1'],
      ['guidance', '3'],
      ['quality', '50'],
    ]) {
      expect((await runMain(['config', 'set', k!, v!], sb)).exitCode).toBe(0);
    }
    // The project file sits in a parent of the working directory, as in a repo's subfolder.
    const project = join(sb.dir, 'flux-krea.config.json');
    await writeFile(project, JSON.stringify({ format: 'webp', aspect_ratio: '4:3', guidance: 4 }));
    const cwd = join(sb.dir, 'sub', 'dir');
    await mkdir(cwd, { recursive: true });

    const { body, sources } = await dryRun(
      ['--format', 'jpg'],
      { FLUX_KREA_FORMAT: 'png', FLUX_KREA_ASPECT: '21:9' },
      cwd,
    );
    expect(body).toMatchObject({
      output_format: 'jpg',
      aspect_ratio: '21:9',
      guidance: 4,
      output_quality: 50,
      num_inference_steps: 40,
    });
    expect(sources).toMatchObject({
      output_format: 'flag (--format)',
      aspect_ratio: 'env (FLUX_KREA_ASPECT)',
      guidance: `project (${project})`,
      output_quality: `user (${configFile()})`,
      num_inference_steps: 'default',
    });

    // Peel the layers off one by one: each time the next one down shows through.
    expect((await dryRun([], { FLUX_KREA_FORMAT: 'png' }, cwd)).sources.output_format).toBe('env (FLUX_KREA_FORMAT)');
    expect((await dryRun([], {}, cwd)).body.output_format).toBe('webp');
    expect((await dryRun([], {}, sb.dir)).body.output_format).toBe('webp');
    await writeFile(project, '{}');
    const user = await dryRun([], {}, cwd);
    expect([user.body.output_format, user.sources.output_format]).toEqual(['png', `user (${configFile()})`]);
    await runMain(['config', 'unset', 'format'], sb);
    const builtIn = await dryRun([], {}, cwd);
    expect([builtIn.body.output_format, builtIn.sources.output_format]).toEqual(['jpg', 'default']);
  });

  it("a project file's out is relative to the file, from any subdirectory; batch options are settable there too", async () => {
    await writeFile(join(sb.dir, 'flux-krea.config.json'), JSON.stringify({ out: 'art', rpm: 12 }));
    const cwd = join(sb.dir, 'sub');
    await mkdir(cwd, { recursive: true });
    const out = await runMain(['config', 'get', 'out'], sb, { cwd });
    expect(out.exitCode, err(out)).toBe(0);
    expect(String(out.stdout).trim()).toBe(join(sb.dir, 'art'));
    expect(String((await runMain(['config', 'get', 'rpm'], sb, { cwd })).stdout).trim()).toBe('12');
    // The other commands accept the file too.
    expect((await runMain(['x', '--dry-run'], sb, { cwd })).exitCode).toBe(0);
  });

  it('config set warns when a higher layer hides the saved value', async () => {
    await writeFile(join(sb.dir, 'flux-krea.config.json'), JSON.stringify({ format: 'webp' }));
    const r = await runMain(['config', 'set', 'format', 'png'], { ...sb, env: { ...sb.env, FLUX_KREA_FORMAT: 'jpg' } });
    expect(r.exitCode).toBe(0);
    expect(err(r)).toContain('FLUX_KREA_FORMAT is set and wins over this default');
    expect(err(r)).toContain('flux-krea.config.json sets format and wins over this default');
  });
});
