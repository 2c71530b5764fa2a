/**
 * The generated zsh function in a real zsh: compinit loads it from $fpath as a user's setup
 * would, and a TAB typed into an interactive zsh in a pseudo-terminal (zpty) runs it through
 * ZLE, _describe, compadd and _files. zsh-capture.zsh records what would be offered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fixture, hasShell, JOB_IDS, RATIOS, runShell, skipMessage, type Fixture } from './harness.js';
import { toolTestsRun } from '../helpers/tools.js';

const CAPTURE = join(import.meta.dirname, 'zsh-capture.zsh');
let f: Fixture;

/** What zsh offers for each line (one zsh session for all of them). */
async function complete(...lines: string[]): Promise<string[][]> {
  const out = await runShell(f, 'zsh', ['-f', CAPTURE, dirname(f.script), join(f.dir, 'capture.txt'), ...lines]);
  expect(out).not.toContain('<<timeout>>');
  const sections: string[][] = [[]];
  for (const l of out.split('\n').filter(Boolean)) {
    if (l === '<<end>>') sections.push([]);
    else sections.at(-1)!.push(l);
  }
  sections.pop();
  expect(sections).toHaveLength(lines.length);
  // _path_files may offer a directory twice (once per pass); the user sees it once.
  return sections.map((s) => [...new Set(s)]);
}

const hasZsh = hasShell('zsh');

describe.skipIf(!toolTestsRun(hasZsh))(`zsh completion${skipMessage('zsh')}`, () => {
  beforeAll(async () => { f = await fixture('zsh'); });
  afterAll(async () => { await f?.cleanup(); });

  it('flux-krea --aspect <TAB> offers the 11 ratios, and flux-krea res<TAB> completes result', async () => {
    const [aspect, short, alias, res] = await complete('flux-krea --aspect ', 'flux-krea -a ', 'flux-krea --aspect-ratio ', 'flux-krea res');
    expect(aspect).toEqual(RATIOS);
    expect(short).toEqual(RATIOS);
    expect(alias).toEqual(RATIOS);
    expect(res).toEqual(['result']);
  });

  it('matches ratios typed up to the colon, and --flag=value', async () => {
    const [partial, equals, equalsPartial] = await complete('flux-krea --aspect 9:', 'flux-krea --aspect=', 'flux-krea --aspect=21:');
    expect(partial).toEqual(['9:16', '9:21']);
    expect(equals).toEqual(RATIOS);
    expect(equalsPartial).toEqual(['21:9']);
  });

  it('offers enum values, subcommands and flags', async () => {
    const [format, mp, cmds, auth, shells, flags, noForm] = await complete(
      'flux-krea "a cat" --format ', 'flux-krea -m ', 'flux-krea ', 'flux-krea auth ', 'flux-krea completion ', 'flux-krea --', 'flux-krea --no-go',
    );
    expect(format).toEqual(['webp', 'jpg', 'png']);
    expect(mp).toEqual(['1', '0.25']);
    expect(cmds).toEqual(expect.arrayContaining(['generate', 'auth', 'result', 'status', 'jobs', 'config', 'completion']));
    expect(cmds).not.toContain('__complete');
    expect(auth).toEqual(expect.arrayContaining(['login', 'status', 'logout']));
    expect(shells).toEqual(['bash', 'zsh', 'fish']);
    expect(flags).toEqual(expect.arrayContaining(['--aspect', '--aspect-ratio', '--format', '--output-format', '--no-go-fast', '--out', '--help']));
    expect(noForm).toEqual(['--no-go-fast']);
  });

  it('offers directories for --out, files for --image and the batch manifest', async () => {
    const [out, image, manifest] = await complete('flux-krea --out ', 'flux-krea --image ph', 'flux-krea batch pr');
    expect(out.sort()).toEqual(['art', 'assets']);
    expect(image).toEqual(['photo.jpg']);
    expect(manifest).toEqual(['prompts.jsonl']);
  });

  it('offers request ids from the journal, and config keys and values', async () => {
    const [ids, keys, values] = await complete('flux-krea status ', 'flux-krea config set for', 'flux-krea config set format ');
    expect(ids.sort()).toEqual([...JOB_IDS].sort());
    expect(keys).toEqual(['format']);
    expect(values).toEqual(['webp', 'jpg', 'png']);
  });

  it('registers itself when sourced (source <(flux-krea completion zsh)) instead of autoloaded', async () => {
    const out = await runShell(f, 'zsh', ['-f', '-c', `autoload -Uz compinit; compinit -u -D; source ${f.script}; print -r -- $_comps[flux-krea]`]);
    expect(out.trim()).toBe('_flux-krea');
  });
});
