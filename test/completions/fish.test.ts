/** The generated fish script in a real fish, queried with `complete -C` as fish's own tests do. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, hasShell, JOB_IDS, RATIOS, runShell, skipMessage, type Fixture } from './harness.js';
import { toolTestsRun } from '../helpers/tools.js';

let f: Fixture;

/** What fish offers for each line: the completions without their descriptions. */
async function complete(...lines: string[]): Promise<string[][]> {
  // One fish for all lines; a NUL-free marker separates the answers.
  const body = lines.map((l) => `complete -C ${JSON.stringify(l)}; echo '<<end>>'`).join('\n');
  const out = await runShell(f, 'fish', ['--no-config', '-c', `source ${JSON.stringify(f.script)}\n${body}`]);
  const sections: string[][] = [[]];
  for (const l of out.split('\n')) {
    if (l === '<<end>>') sections.push([]);
    else if (l) sections.at(-1)!.push(l.split('\t')[0]!);
  }
  return sections.slice(0, lines.length);
}

describe.skipIf(!toolTestsRun(hasShell('fish')))(`fish completion${skipMessage('fish')}`, () => {
  beforeAll(async () => { f = await fixture('fish'); });
  afterAll(async () => { await f?.cleanup(); });

  it('flux-krea --aspect <TAB> offers the 11 ratios, and flux-krea res<TAB> completes result', async () => {
    const [aspect, short, alias, res] = await complete('flux-krea --aspect ', 'flux-krea -a ', 'flux-krea --aspect-ratio ', 'flux-krea res');
    // fish sorts what it shows.
    expect(aspect!.sort()).toEqual([...RATIOS].sort());
    expect(short!.sort()).toEqual([...RATIOS].sort());
    expect(alias!.sort()).toEqual([...RATIOS].sort());
    expect(res).toEqual(['result']);
  });

  it('matches ratios typed up to the colon, and --flag=value', async () => {
    const [partial, equals] = await complete('flux-krea --aspect 9:', 'flux-krea --aspect=21');
    expect(partial).toEqual(['9:16', '9:21']);
    expect(equals).toEqual(['--aspect=21:9']);
  });

  it('offers enum values, subcommands and flags', async () => {
    const [format, mp, cmds, auth, shells, flags, noForm] = await complete(
      "flux-krea 'a cat' --format ", 'flux-krea -m ', 'flux-krea ', 'flux-krea auth ', 'flux-krea completion ', 'flux-krea --', 'flux-krea --no-go',
    );
    expect(format!.sort()).toEqual(['jpg', 'png', 'webp']);
    expect(mp!.sort()).toEqual(['0.25', '1']);
    expect(cmds).toEqual(expect.arrayContaining(['generate', 'auth', 'result', 'status', 'jobs', 'config', 'completion']));
    expect(cmds).not.toContain('__complete');
    expect(auth).toEqual(expect.arrayContaining(['login', 'status', 'logout']));
    expect(shells!.sort()).toEqual(['bash', 'fish', 'zsh']);
    expect(flags).toEqual(expect.arrayContaining(['--aspect', '--aspect-ratio', '--format', '--output-format', '--no-go-fast', '--out', '--help']));
    expect(noForm).toEqual(['--no-go-fast']);
  });

  it('offers directories for --out, files for --image and the batch manifest', async () => {
    const [out, image, manifest] = await complete('flux-krea --out ', 'flux-krea --image ph', 'flux-krea batch pr');
    expect(out!.sort()).toEqual(['art/', 'assets/']);
    expect(image).toEqual(['photo.jpg']);
    expect(manifest).toEqual(['prompts.jsonl']);
  });

  it('offers request ids from the journal, and config keys and values', async () => {
    const [ids, keys, values, dirs] = await complete('flux-krea result ', 'flux-krea config set for', 'flux-krea config set format ', 'flux-krea config set out a');
    expect(ids!.sort()).toEqual([...JOB_IDS].sort());
    expect(keys).toEqual(['format']);
    expect(values!.sort()).toEqual(['jpg', 'png', 'webp']);
    expect(dirs!.sort()).toEqual(['art/', 'assets/']);
  });
});
