/**
 * The completion model is read from the commander tree and the schema: every flag, alias and
 * --no- form is there with its values, hidden commands are not, and a command added to the
 * tree later (as `batch` was) is picked up without touching the generator.
 */
import { describe, expect, it } from 'vitest';
import { Argument, Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { streamOutput } from '../../src/cli/output.js';
import { Ui } from '../../src/cli/ui.js';
import { buildModel, type CommandModel } from '../../src/cli/completions/model.js';
import { renderCompletion, SHELLS } from '../../src/cli/completions/index.js';
import { CONFIG_FIELDS, MODEL_FIELDS, RUN_FIELDS } from '../../src/params/fields.js';

const program = () => buildProgram({ ui: new Ui({ env: {} }), signal: new AbortController().signal, env: {}, stdout: streamOutput(process.stdout), stderr: streamOutput(process.stderr) });
const names = (c: CommandModel) => c.options.flatMap((o) => o.names);

describe('completion model', () => {
  const model = buildModel(program());

  it('has every model and run flag of generate, long and short, aliases and --no- forms', () => {
    const root = names(model.root);
    for (const f of [...MODEL_FIELDS, ...RUN_FIELDS].filter((x) => x.key !== 'prompt')) {
      expect(root).toContain(`--${f.flag}`);
      if (f.short) expect(root).toContain(`-${f.short}`);
      for (const a of f.aliases ?? []) expect(root).toContain(`--${a}`);
      if (f.kind === 'boolean') expect(root).toContain(`--no-${f.flag}`);
    }
  });

  it('carries the allowed values of enum flags and the file and directory hints', () => {
    const byName = (n: string) => model.root.options.find((o) => o.names.includes(n))!;
    for (const f of [...MODEL_FIELDS, ...RUN_FIELDS].filter((x) => x.kind === 'enum')) {
      expect(byName(`--${f.flag}`).value).toEqual({ kind: 'values', values: f.values });
    }
    expect(byName('--image').value).toEqual({ kind: 'file' });
    expect(byName('--out').value).toEqual({ kind: 'dir' });
    expect(byName('--json').value).toBeUndefined();
  });

  it('lists config keys from the schema and leaves hidden commands out', () => {
    expect(model.configKeys.map((k) => k.names[0])).toEqual(CONFIG_FIELDS.map((f) => f.flag));
    expect(model.commands.map((c) => c.name)).not.toContain('__complete-ids');
    const result = model.commands.find((c) => c.path === 'flux-krea result')!;
    expect(result.args[0]!.hint).toEqual({ kind: 'request-id' });
  });

  it('picks up a command added to the tree, with hints from its argument and value names', () => {
    const p = program();
    p.addCommand(new Command('later').argument('<manifest>').option('--lock <file>').addArgument(new Argument('[mode]').choices(['a', 'b'])));
    const later = buildModel(p).commands.find((c) => c.path === 'flux-krea later')!;
    expect(later.args.map((a) => a.hint)).toEqual([{ kind: 'file' }, { kind: 'values', values: ['a', 'b'] }]);
    expect(later.options.find((o) => o.names.includes('--lock'))!.value).toEqual({ kind: 'file' });
    for (const shell of SHELLS) expect(renderCompletion(shell, p)).toContain('later');
  });
});
