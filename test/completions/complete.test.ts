/**
 * The one completion engine behind every shell's script, in-process: the walk over the live
 * commander tree, what it offers for each kind of word, and the answer's line format. The real
 * shells run the scripts in bash/zsh/fish.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Argument, Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { streamOutput } from '../../src/cli/output.js';
import { Ui } from '../../src/cli/ui.js';
import { complete, formatCompletion, type Completion } from '../../src/cli/completions/complete.js';
import { completeAs } from '../../src/cli/completions/hints.js';
import { CONFIG_FIELDS, MODEL_FIELDS, RUN_FIELDS } from '../../src/params/fields.js';
import { ASPECT_RATIOS } from '../../src/params/schema.js';

const program = () => buildProgram({ ui: new Ui({ env: {} }), signal: new AbortController().signal, env: {}, stdout: streamOutput(process.stdout), stderr: streamOutput(process.stderr) });

/** Completes the line: its last word is the one being typed. */
async function at(line: string, p: Command = program(), ids: string[] = ['req-1', 'req-2']): Promise<Completion> {
  const words = line.split(' ');
  return complete({ program: p, words: words.slice(0, -1), current: words.at(-1)!, requestIds: async () => ids });
}

async function offered(line: string, p?: Command): Promise<string[]> {
  const c = await at(line, p);
  if (c.kind !== 'values') throw new Error(`expected values for ${JSON.stringify(line)}, got ${c.kind}`);
  return c.candidates.map((x) => x.value);
}

describe('__complete', () => {
  it('offers every model and run flag of generate, long and short, aliases and --no- forms', async () => {
    const flags = await offered('-');
    for (const f of [...MODEL_FIELDS, ...RUN_FIELDS].filter((x) => x.key !== 'prompt')) {
      expect(flags).toContain(`--${f.flag}`);
      if (f.short) expect(flags).toContain(`-${f.short}`);
      for (const a of f.aliases ?? []) expect(flags).toContain(`--${a}`);
      if (f.kind === 'boolean') expect(flags).toContain(`--no-${f.flag}`);
    }
    expect(flags).toEqual(expect.arrayContaining(['-h', '--help', '-V', '--version']));
  });

  it('offers the schema\'s allowed values after any spelling of an enum flag, filtered by what is typed', async () => {
    for (const f of [...MODEL_FIELDS, ...RUN_FIELDS].filter((x) => x.kind === 'enum')) {
      expect(await offered(`--${f.flag} `)).toEqual(f.values);
    }
    expect(await offered('-a ')).toEqual([...ASPECT_RATIOS]);
    expect(await offered('--aspect-ratio 9:')).toEqual(['9:16', '9:21']);
    expect(await offered('"a cat" --format p')).toEqual(['png']);
  });

  it('completes --flag=value as a whole word', async () => {
    expect(await offered('--aspect=21')).toEqual(['--aspect=21:9']);
    expect(await offered('--metadata=')).toEqual(['--metadata=none', '--metadata=sidecar', '--metadata=embed']);
    expect(await offered('--json=')).toEqual([]);
  });

  it('asks the shell for directories, files, or nothing at all', async () => {
    expect(await at('--out ')).toEqual({ kind: 'dir' });
    expect(await at('-o=')).toEqual({ kind: 'values', candidates: [] });
    expect(await at('--image ph')).toEqual({ kind: 'file' });
    expect(await at('batch ')).toEqual({ kind: 'file' });
    expect(await at('batch m.jsonl --lock ')).toEqual({ kind: 'file' });
    expect(await at('batch m.jsonl --lock=x')).toEqual({ kind: 'file' });
    expect(await at('--seed ')).toEqual({ kind: 'values', candidates: [] });
    expect(await at('"a cat" ')).toEqual({ kind: 'values', candidates: [] });
  });

  it('walks the line as commander parses it: values are skipped, -- ends the options, only the first free word is a command', async () => {
    expect(await offered('-o - --dry')).toEqual(['--dry-run']);
    expect(await offered('--format png res')).toEqual(['result']);
    expect(await offered('"a cat" res')).toEqual([]);
    expect(await offered('-- --asp')).toEqual([]);
    // A subcommand has its own options: jobs has no --aspect, batch has --concurrency.
    expect(await offered('jobs --asp')).toEqual([]);
    expect(await offered('batch m.jsonl --conc')).toEqual(['--concurrency']);
  });

  it('offers subcommands with their descriptions, and leaves hidden ones out', async () => {
    const c = await at('');
    const names = c.kind === 'values' ? c.candidates.map((x) => x.value) : [];
    expect(names).toEqual(expect.arrayContaining(['generate', 'auth', 'result', 'status', 'jobs', 'batch', 'config', 'completion']));
    expect(names).not.toContain('__complete');
    expect(c.kind === 'values' && c.candidates.find((x) => x.value === 'result')?.description).toMatch(/download its images/);
    expect(await offered('auth ')).toEqual(expect.arrayContaining(['login', 'status', 'logout']));
    expect(await offered('completion ')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('offers request ids for result and status, and config keys and their values', async () => {
    expect(await offered('result ')).toEqual(['req-1', 'req-2']);
    expect(await offered('status req-2')).toEqual(['req-2']);
    expect(await offered('config set ')).toEqual(CONFIG_FIELDS.map((f) => f.flag));
    expect(await offered('config unset for')).toEqual(['format']);
    expect(await offered('config set aspect_ratio 4:')).toEqual(['4:5', '4:3']);
    expect(await offered('config set go-fast ')).toEqual(['true', 'false']);
    expect(await at('config set out ')).toEqual({ kind: 'dir' });
    expect(await offered('config set nope ')).toEqual([]);
  });

  it('picks up a command added to the tree later, from its arguments and options', async () => {
    const p = program();
    p.addCommand(new Command('later')
      .addArgument(completeAs(new Argument('<manifest>'), 'file'))
      .addArgument(new Argument('[mode]').choices(['fast', 'slow']))
      .option('--level <n>', 'how much'));
    expect(await offered('la', p)).toEqual(['later']);
    expect(await at('later ', p)).toEqual({ kind: 'file' });
    expect(await offered('later m.txt ', p)).toEqual(['fast', 'slow']);
    expect(await offered('later --le', p)).toEqual(['--level']);
  });

  it('prints one candidate a line, a tab before its description, then what kind of answer it is', () => {
    expect(formatCompletion({ kind: 'values', candidates: [{ value: '--out', description: 'Where\nthe\timages go' }, { value: 'png' }] }))
      .toBe('--out\tWhere the images go\npng\n:values\n');
    expect(formatCompletion({ kind: 'values', candidates: [{ value: 'bad\nid' }, { value: '' }] })).toBe(':values\n');
    expect(formatCompletion({ kind: 'dir' })).toBe(':dir\n');
  });
});

describe('__complete for sweeps, again and inspect (from the schema)', () => {
  it('offers the commands, files for their images, the sweep flags, and the allowed values after again', async () => {
    const commands = await offered('');
    expect(commands).toEqual(expect.arrayContaining(['again', 'inspect']));
    expect((await at('again ')).kind).toBe('file');
    expect((await at('inspect a.png ')).kind).toBe('file');
    expect(await offered('again x.png --aspect ')).toEqual([...ASPECT_RATIOS]);
    for (const line of ['--', 'again x.png --']) {
      expect(await offered(line)).toEqual(expect.arrayContaining(['--max-jobs', '--concurrency', '--rpm', '--lock']));
    }
    expect(await offered('again x.png --')).toContain('--prompt');
    expect(await offered('inspect x.png --')).toContain('--json');
  });
});
