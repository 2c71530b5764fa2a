/**
 * The generated bash script in a real bash: COMP_WORDS / COMP_CWORD / COMP_LINE set exactly as
 * readline sets them (it splits `16:9` into `16` `:` `9` at COMP_WORDBREAKS; checked against an
 * interactive bash), then the completion function, then COMPREPLY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, hasShell, JOB_IDS, RATIOS, runShell, skipMessage, type Fixture } from './harness.js';
import { toolTestsRun } from '../helpers/tools.js';

const CALL = `
source "$1"
COMP_LINE=$2
COMP_POINT=\${#COMP_LINE}
shift 2
COMP_WORDS=("$@")
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
_flux_krea
printf '%s\\n' "\${COMPREPLY[@]}"`;

let f: Fixture;

/** Completes `line`; `words` overrides the split where readline splits at a colon or `=`. */
async function complete(line: string, words?: string[]): Promise<string[]> {
  const split = words ?? line.split(' ');
  const out = await runShell(f, 'bash', ['--norc', '--noprofile', '-c', CALL, 'bash', f.script, line, ...split]);
  return out.split('\n').filter(Boolean);
}

describe.skipIf(!toolTestsRun(hasShell('bash')))(`bash completion${skipMessage('bash')}`, () => {
  beforeAll(async () => { f = await fixture('bash'); });
  afterAll(async () => { await f?.cleanup(); });

  it('flux-krea --aspect <TAB> offers the 11 ratios', async () => {
    expect(await complete('flux-krea --aspect ')).toEqual(RATIOS);
    expect(await complete('flux-krea -a ')).toEqual(RATIOS);
    expect(await complete('flux-krea --aspect-ratio ')).toEqual(RATIOS);
  });

  it('flux-krea res<TAB> completes result', async () => {
    expect(await complete('flux-krea res')).toEqual(['result']);
  });

  it('a ratio typed up to its colon completes after the colon, as readline replaces only that part', async () => {
    expect(await complete('flux-krea --aspect 16:', ['flux-krea', '--aspect', '16', ':'])).toEqual(['9']);
    expect(await complete('flux-krea --aspect 9:', ['flux-krea', '--aspect', '9', ':'])).toEqual(['16', '21']);
    expect(await complete('flux-krea --aspect 1', ['flux-krea', '--aspect', '1'])).toEqual(['1:1', '16:9']);
    expect(await complete('flux-krea --aspect=', ['flux-krea', '--aspect', '='])).toEqual(RATIOS);
    expect(await complete('flux-krea --aspect=21:', ['flux-krea', '--aspect', '=', '21', ':'])).toEqual(['9']);
  });

  it('offers the values of enum flags', async () => {
    expect(await complete('flux-krea "a cat" --format ', ['flux-krea', '"a cat"', '--format', ''])).toEqual(['webp', 'jpg', 'png']);
    expect(await complete('flux-krea -m ')).toEqual(['1', '0.25']);
    expect(await complete('flux-krea --metadata s')).toEqual(['sidecar']);
  });

  it('offers subcommands, nested ones and the completion shells', async () => {
    expect(await complete('flux-krea ')).toEqual(expect.arrayContaining(['generate', 'auth', 'result', 'status', 'jobs', 'config', 'completion']));
    expect(await complete('flux-krea ')).not.toContain('__complete');
    expect(await complete('flux-krea auth ')).toEqual(expect.arrayContaining(['login', 'status', 'logout']));
    expect(await complete('flux-krea config ')).toEqual(expect.arrayContaining(['set', 'get', 'unset', 'list', 'path']));
    expect(await complete('flux-krea completion ')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('offers every long flag, aliases and --no- forms, and short flags', async () => {
    const all = await complete('flux-krea -');
    expect(all).toEqual(expect.arrayContaining(['--aspect', '--aspect-ratio', '-a', '--no-go-fast', '--output-format', '-o', '--out', '--help', '-h']));
    expect(await complete('flux-krea --no-go')).toEqual(['--no-go-fast']);
    // The option value `-` (stdout) is not mistaken for an option, and flags go on after it.
    expect(await complete('flux-krea -o - --dry')).toEqual(['--dry-run']);
  });

  it('offers directories only for --out, files for --image', async () => {
    expect(await complete('flux-krea --out ')).toEqual(expect.arrayContaining(['art', 'assets']));
    expect(await complete('flux-krea --out ')).not.toContain('photo.jpg');
    expect((await complete('flux-krea result x --out a')).sort()).toEqual(['art', 'assets']);
    expect(await complete('flux-krea --image ph')).toEqual(['photo.jpg']);
  });

  it('offers files for the batch manifest and its --lock', async () => {
    expect(await complete('flux-krea batch pr')).toEqual(['prompts.jsonl']);
    expect(await complete('flux-krea batch prompts.jsonl --lock ph')).toEqual(['photo.jpg']);
  });

  it('offers request ids from the journal for result and status', async () => {
    expect((await complete('flux-krea result ')).sort()).toEqual([...JOB_IDS].sort());
    expect(await complete('flux-krea status req-new')).toEqual(['req-newer-0002']);
    expect(existsSync(join(f.work, 'PWNED'))).toBe(false);
  });

  it('offers config keys, and the values of the key being set', async () => {
    expect(await complete('flux-krea config set for')).toEqual(['format']);
    expect(await complete('flux-krea config get ')).toEqual(expect.arrayContaining(['aspect', 'format', 'out', 'guidance']));
    expect(await complete('flux-krea config set format ')).toEqual(['webp', 'jpg', 'png']);
    expect(await complete('flux-krea config set aspect_ratio 4:', ['flux-krea', 'config', 'set', 'aspect_ratio', '4', ':'])).toEqual(['5', '3']);
    expect(await complete('flux-krea config set go-fast ')).toEqual(['true', 'false']);
    expect((await complete('flux-krea config set out a')).sort()).toEqual(['art', 'assets']);
  });
});
