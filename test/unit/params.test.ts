import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as zm from 'zod/mini';
import {
  MODEL_FIELDS,
  RUN_FIELDS,
  BATCH_FIELDS,
  CONFIG_FIELDS,
  findField,
  allowedText,
  describeSchema,
  type FieldSpec,
} from '../../src/params/fields.js';
import { Command } from 'commander';
import { addFieldOptions, collectFlags, optionsFor } from '../../src/cli/flags.js';
import { coerce, didYouMean } from '../../src/params/coerce.js';
import { ASPECT_RATIOS } from '../../src/params/schema.js';
import { UsageError } from '../../src/errors.js';

const field = (name: string) => findField(name)!;

describe('the schema as flags', () => {
  it('has every model parameter of the contract, with its flag and alias', () => {
    const flags = Object.fromEntries(MODEL_FIELDS.map((f) => [f.key, [f.flag, f.short, ...(f.aliases ?? [])]]));
    // Contained, not equal: a parameter Segmind adds later is one schema entry, not a test edit.
    expect(flags).toMatchObject({
      prompt: ['prompt', undefined],
      aspect_ratio: ['aspect', 'a', 'aspect-ratio'],
      megapixels: ['megapixels', 'm'],
      num_outputs: ['num-outputs', 'n'],
      guidance: ['guidance', 'g'],
      num_inference_steps: ['steps', 's', 'num-inference-steps'],
      output_format: ['format', 'f', 'output-format'],
      output_quality: ['quality', undefined, 'output-quality'],
      prompt_strength: ['prompt-strength', undefined],
      image: ['image', 'i'],
      seed: ['seed', undefined],
      go_fast: ['go-fast', undefined],
      disable_safety_checker: ['disable-safety-checker', undefined],
    });
  });
  it("carries Segmind's defaults and ranges", () => {
    expect(field('aspect').values).toEqual([...ASPECT_RATIOS]);
    expect(field('aspect').default).toBe('16:9');
    expect(field('megapixels').values).toEqual(['1', '0.25']);
    expect(field('num-outputs')).toMatchObject({ kind: 'int', min: 1, max: 4, default: 2 });
    expect(field('guidance')).toMatchObject({ kind: 'number', min: 0, max: 10, default: 7 });
    expect(field('steps')).toMatchObject({ kind: 'int', min: 1, max: 50, default: 40 });
    expect(field('format')).toMatchObject({ kind: 'enum', values: ['webp', 'jpg', 'png'], default: 'jpg' });
    expect(field('quality')).toMatchObject({ kind: 'int', min: 0, max: 100, default: 90 });
    expect(field('prompt-strength')).toMatchObject({ kind: 'number', min: 0, max: 1 });
    expect(field('go-fast')).toMatchObject({ kind: 'boolean', default: true });
    expect(field('disable-safety-checker')).toMatchObject({ kind: 'boolean', default: false });
    expect(field('seed').default).toBeUndefined();
  });
  it('finds fields by API name, flag and alias', () => {
    expect(findField('aspect_ratio')?.flag).toBe('aspect');
    expect(findField('--aspect-ratio')?.key).toBe('aspect_ratio');
    expect(findField('num_inference_steps')?.flag).toBe('steps');
    expect(findField('output-format')?.key).toBe('output_format');
    expect(findField('nope')).toBeUndefined();
  });
  it('run options include the documented flags', () => {
    expect(RUN_FIELDS.map((f) => f.flag)).toEqual(
      expect.arrayContaining(['sync', 'out', 'json', 'dry-run', 'timeout', 'interval', 'quiet', 'verbose', 'retries']),
    );
  });
});

describe('a flag that means something alone', () => {
  it('--preview alone is --preview always; a value still wins, and a bad one is refused later', () => {
    const parse = (args: string[]) => {
      const cmd = new Command('x').exitOverride();
      addFieldOptions(cmd, RUN_FIELDS);
      cmd.parse(args, { from: 'user' });
      return collectFlags(cmd, RUN_FIELDS).preview?.raw;
    };
    expect(parse(['--preview'])).toBe('always');
    expect(parse(['--preview', 'never'])).toBe('never');
    expect(parse(['--preview=auto'])).toBe('auto');
    expect(parse([])).toBeUndefined();
    // Every other value flag still needs its value.
    expect(() => parse(['--timeout'])).toThrow(/argument missing/);
  });
});

describe('coerce', () => {
  it('parses and checks each kind', () => {
    expect(coerce(field('n'), '3', '--num-outputs')).toBe(3);
    expect(coerce(field('guidance'), '3.5', '--guidance')).toBe(3.5);
    expect(coerce(field('megapixels'), '0.25', '-m')).toBe('0.25');
    expect(coerce(field('megapixels'), '1.0', '-m')).toBe('1');
    expect(coerce(field('megapixels'), 1, 'x')).toBe('1');
    expect(coerce(field('format'), 'PNG', '--format')).toBe('png');
    expect(coerce(field('go-fast'), 'false', 'FLUX_KREA_GO_FAST')).toBe(false);
    expect(coerce(field('seed'), '-5', '--seed')).toBe(-5);
    expect(coerce(field('n'), 2, 'manifest')).toBe(2);
  });
  it.each([
    ['n', '5', '--num-outputs: "5" is not allowed; use a whole number from 1 to 4.'],
    ['n', '2.5', '--num-outputs: "2.5" is not allowed; use a whole number from 1 to 4.'],
    ['n', 'two', '--num-outputs: "two" is not allowed; use a whole number from 1 to 4.'],
    ['guidance', '11', '--guidance: "11" is not allowed; use a number from 0 to 10.'],
    ['steps', '0', '--steps: "0" is not allowed; use a whole number from 1 to 50.'],
    ['quality', '101', '--quality: "101" is not allowed; use a whole number from 0 to 100.'],
    ['prompt-strength', '1.5', '--prompt-strength: "1.5" is not allowed; use a number from 0 to 1.'],
    ['seed', '1.5', '--seed: "1.5" is not allowed; use a whole number.'],
    ['megapixels', '2', '--megapixels: "2" is not allowed; use one of 1, 0.25.'],
  ])('%s %s', (name, raw, message) => {
    const f = field(name);
    expect(() => coerce(f, raw, `--${f.flag}`)).toThrow(UsageError);
    expect(() => coerce(f, raw, `--${f.flag}`)).toThrow(message);
  });
  // A path of only spaces is a mistake (a stray space, an unset variable in quotes): `--out " "`
  // passed and a paid job wrote its images into a folder named " ".
  it.each([
    ['out', ' '],
    ['out', '\t'],
    ['image', '  '],
    ['lock', ' '],
    ['gallery', '\n'],
    ['shard', ' '],
  ])('refuses --%s %j, a value of only spaces', (name, raw) => {
    const f = findField(name, [...RUN_FIELDS, ...MODEL_FIELDS, ...BATCH_FIELDS])!;
    expect(() => coerce(f, raw, `--${name}`)).toThrow(
      `--${name}: ${JSON.stringify(raw)} is not allowed; use a non-empty value.`,
    );
    expect(coerce(f, ` ${name}.x`, `--${name}`)).toBe(` ${name}.x`);
  });
  // A project file or a manifest holds JSON: a list or an object must be shown as written.
  it.each([
    ['num-outputs', [1], '[1]'],
    ['aspect', [], '[]'],
    ['megapixels', [], '[]'],
    ['format', {}, '{}'],
    ['seed', { n: 1 }, '{"n":1}'],
    ['guidance', Infinity, 'Infinity'],
  ])('names a JSON %s value %j as written, without a guess', (name, raw, written) => {
    const f = field(name);
    expect(() => coerce(f, raw, `flux-krea.config.json: ${name}`)).toThrow(
      `flux-krea.config.json: ${name}: ${written} is not allowed; use ${allowedText(f)}.`,
    );
    expect(() => coerce(f, raw, name)).not.toThrow(/Did you mean/);
  });
  it('suggests the near miss', () => {
    expect(() => coerce(field('aspect'), '16x9', '--aspect')).toThrow(
      `--aspect: "16x9" is not allowed; use ${allowedText(field('aspect'))}. Did you mean 16:9?`,
    );
    expect(didYouMean('jpeg', ['webp', 'jpg', 'png'])).toBe('jpg');
    expect(didYouMean('16/9', ASPECT_RATIOS)).toBe('16:9');
    expect(didYouMean('wbp', ['webp', 'jpg', 'png'])).toBe('webp');
    expect(didYouMean('banana', ASPECT_RATIOS)).toBeUndefined();
  });
});

describe('the schema read at run time', () => {
  // A scratch schema, as a new parameter would be written in schema.ts.
  const scratch = z.strictObject({
    lora_scale: z
      .number()
      .min(0)
      .max(2)
      .optional()
      .meta({ flag: 'lora-scale', valueName: 'x', help: 'Strength of the LoRA' }),
    steps_of_eight: z
      .number()
      .int()
      .min(8)
      .max(64)
      .multipleOf(8)
      .default(16)
      .meta({ flag: 'steps8', short: 'e', aliases: ['steps-of-eight'], valueName: 'n', help: 'Steps, in eights' }),
    mode: z
      .enum(['fast', 'fine'])
      .default('fine')
      .meta({ flag: 'mode', valueName: 'm', help: 'How to run', configurable: false }),
    tag: z.string().trim().min(1).optional().meta({ flag: 'tag', help: 'A label' }),
  });
  const [lora, eights, mode, tag] = describeSchema(scratch, 'model');

  it('turns a new field into a flag with its kind, range, default and names', () => {
    expect(lora).toMatchObject({
      key: 'lora_scale',
      flag: 'lora-scale',
      kind: 'number',
      min: 0,
      max: 2,
      optional: true,
      configurable: true,
    });
    expect(lora!.default).toBeUndefined();
    expect(eights).toMatchObject({
      key: 'steps_of_eight',
      kind: 'int',
      min: 8,
      max: 64,
      default: 16,
      short: 'e',
      aliases: ['steps-of-eight'],
    });
    expect(mode).toMatchObject({ kind: 'enum', values: ['fast', 'fine'], default: 'fine', configurable: false });
    expect(tag).toMatchObject({ kind: 'string', optional: true });
    expect(optionsFor(lora!).map((o) => [o.flags, o.description])).toEqual([
      ['--lora-scale <x>', 'Strength of the LoRA (a number from 0 to 2)'],
    ]);
    expect(optionsFor(eights!).map((o) => o.flags)).toEqual(['-e, --steps8 <n>', '--steps-of-eight <n>']);
  });

  it('checks values with zod itself, so a check it has never heard of is enforced too', () => {
    expect(coerce(eights!, '24', '--steps8')).toBe(24);
    expect(() => coerce(eights!, '20', '--steps8')).toThrow(
      '--steps8: "20" is not allowed; use a whole number from 8 to 64.',
    );
    expect(coerce(tag!, '  a b  ', '--tag')).toBe('a b');
    expect(() => coerce(tag!, '   ', '--tag')).toThrow('--tag: "   " is not allowed; use a non-empty value.');
    expect(() => coerce(lora!, '2.5', '--lora-scale')).toThrow('use a number from 0 to 2');
  });

  it('reads the same field written with zod/mini, as schema.ts writes it', () => {
    const mini = zm.strictObject({
      lora_scale: zm
        .optional(zm.number().check(zm.minimum(0), zm.maximum(2)))
        .register(zm.globalRegistry, { flag: 'lora-scale', valueName: 'x', help: 'Strength of the LoRA' }),
      steps_of_eight: zm
        ._default(zm.int().check(zm.minimum(8), zm.maximum(64), zm.multipleOf(8)), 16)
        .register(zm.globalRegistry, {
          flag: 'steps8',
          short: 'e',
          aliases: ['steps-of-eight'],
          valueName: 'n',
          help: 'Steps, in eights',
        }),
      mode: zm
        ._default(zm.enum(['fast', 'fine']), 'fine')
        .register(zm.globalRegistry, { flag: 'mode', valueName: 'm', help: 'How to run', configurable: false }),
      tag: zm
        .optional(zm.string().check(zm.trim(), zm.minLength(1)))
        .register(zm.globalRegistry, { flag: 'tag', help: 'A label' }),
    });
    const specs = describeSchema(mini, 'model');
    const withoutSchema = (fields: readonly FieldSpec[]) => fields.map(({ schema: _schema, ...rest }) => rest);
    expect(withoutSchema(specs)).toEqual(withoutSchema([lora!, eights!, mode!, tag!]));
    expect(() => coerce(specs[1]!, '20', '--steps8')).toThrow('use a whole number from 8 to 64');
    expect(coerce(specs[3]!, '  a b  ', '--tag')).toBe('a b');
  });

  it('refuses a field that cannot be a flag, or has no flag metadata, on the first run', () => {
    expect(() => describeSchema(z.strictObject({ when: z.date().meta({ flag: 'when', help: 'x' }) }), 'model')).toThrow(
      /when: a ZodDate cannot be a flag/,
    );
    expect(() => describeSchema(z.strictObject({ bare: z.string() }), 'model')).toThrow(
      /bare: give it \.meta\(\{ flag, help \}\)/,
    );
  });

  it("keeps the prompt and the input image out of config keys, and hides the seed's safe-integer bounds", () => {
    expect(CONFIG_FIELDS.map((f) => f.key)).not.toContain('prompt');
    expect(CONFIG_FIELDS.map((f) => f.key)).not.toContain('image');
    expect(CONFIG_FIELDS.map((f) => f.key)).toEqual(
      expect.arrayContaining(['aspect_ratio', 'seed', 'out', 'concurrency', 'rpm']),
    );
    expect(field('seed')).toMatchObject({ kind: 'int', defaultText: 'random, reported' });
    expect(field('seed').min).toBeUndefined();
    expect(() => coerce(field('seed'), String(2 ** 53), '--seed')).toThrow(
      '--seed: "9007199254740992" is not allowed; use a whole number.',
    );
  });
});
