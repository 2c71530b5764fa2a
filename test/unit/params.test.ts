import { describe, expect, it } from 'vitest';
import { MODEL_FIELDS, RUN_FIELDS, findField, allowedText } from '../../src/params/fields.js';
import { coerce, didYouMean } from '../../src/params/coerce.js';
import { ASPECT_RATIOS } from '../../src/params/schema.js';
import { UsageError } from '../../src/errors.js';

const field = (name: string) => findField(name)!;

describe('the schema as flags', () => {
  it('has every model parameter of the contract, with its flag and alias', () => {
    const flags = Object.fromEntries(MODEL_FIELDS.map((f) => [f.key, [f.flag, f.short, ...(f.aliases ?? [])]]));
    expect(flags).toEqual({
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
    expect(RUN_FIELDS.map((f) => f.flag)).toEqual(expect.arrayContaining(['sync', 'out', 'json', 'dry-run', 'timeout', 'interval', 'quiet', 'verbose', 'retries']));
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
