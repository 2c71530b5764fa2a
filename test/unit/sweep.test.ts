import { describe, expect, it } from 'vitest';
import { MODEL_FIELDS } from '../../src/params/fields.js';
import { presentError } from '../../src/cli/hints.js';
import { checkSweepSize, combinations, comboLabel, sweepAxes, sweepCount } from '../../src/core/sweep.js';
import { UsageError } from '../../src/errors.js';

const flags = (o: Record<string, [unknown, string]>) =>
  Object.fromEntries(Object.entries(o).map(([k, [raw, flag]]) => [k, { raw, flag }]));

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).message;
  }
  throw new Error('no error');
}

describe('sweep axes from flags', () => {
  it('comma lists for every kind of value, ranges for whole numbers, checked and normalised', () => {
    const { axes, fixed } = sweepAxes(
      flags({
        aspect_ratio: ['1:1,16:9', '--aspect'],
        guidance: ['2, 4.5,6', '-g'],
        output_format: ['PNG,webp', '--format'],
        seed: ['1..3,10', '--seed'],
        num_inference_steps: ['20', '--steps'],
      }),
      MODEL_FIELDS,
    );
    expect(axes.map((a) => [a.field.key, a.flag, a.values])).toEqual([
      ['aspect_ratio', '--aspect', ['1:1', '16:9']],
      ['guidance', '-g', [2, 4.5, 6]],
      ['output_format', '--format', ['png', 'webp']],
      ['seed', '--seed', [1, 2, 3, 10]],
    ]);
    expect(fixed).toEqual(flags({ num_inference_steps: ['20', '--steps'] }));
    expect(sweepCount(axes)).toBe(2 * 3 * 2 * 4);
  });

  it('a descending range, and a one-value list is a plain value', () => {
    const { axes, fixed } = sweepAxes(flags({ seed: ['3..1', '--seed'], guidance: ['5', '--guidance'] }), MODEL_FIELDS);
    expect(axes[0]!.values).toEqual([3, 2, 1]);
    expect(axes).toHaveLength(1);
    expect(() => sweepAxes(flags({ guidance: ['5,', '--guidance'] }), MODEL_FIELDS)).toThrow(/empty value/);
    expect(sweepAxes(flags({ seed: ['7..7', '--seed'] }), MODEL_FIELDS).fixed).toEqual(flags({ seed: [7, '--seed'] }));
    expect(fixed.seed).toBeUndefined();
  });

  it('every bad value names the flag, the value and what is allowed', () => {
    expect(usage(() => sweepAxes(flags({ guidance: ['2,12', '-g'] }), MODEL_FIELDS))).toBe(
      '-g: "12" is not allowed; use a number from 0 to 10.',
    );
    expect(usage(() => sweepAxes(flags({ aspect_ratio: ['1:1,16x9', '--aspect'] }), MODEL_FIELDS))).toMatch(
      /^--aspect: "16x9" is not allowed; use one of 1:1, .*Did you mean 16:9\?$/,
    );
    expect(usage(() => sweepAxes(flags({ num_inference_steps: ['40..60', '--steps'] }), MODEL_FIELDS))).toBe(
      '--steps: "60" is not allowed; use a whole number from 1 to 50.',
    );
    // A range of a decimal flag: refused with the reason, not as a bad number.
    expect(usage(() => sweepAxes(flags({ guidance: ['1..3', '--guidance'] }), MODEL_FIELDS))).toMatch(
      /^--guidance: "1\.\.3" has a range, and --guidance takes decimals: ranges are for whole-number flags only/,
    );
    expect(usage(() => sweepAxes(flags({ seed: ['1,2,1', '--seed'] }), MODEL_FIELDS))).toMatch(/1 is given twice/);
    expect(usage(() => sweepAxes(flags({ seed: ['1..99999999', '--seed'] }), MODEL_FIELDS))).toMatch(/99999999 values/);
    expect(usage(() => sweepAxes(flags({ guidance: ['2,,4', '--guidance'] }), MODEL_FIELDS))).toMatch(/empty value/);
  });

  it('a number written with a thousands separator is refused, not run as a paid sweep', () => {
    for (const [key, raw, flag] of [
      ['seed', '1,000', '--seed'],
      ['seed', '12,000,500', '--seed'],
      ['guidance', '1,000', '-g'],
      ['num_inference_steps', '1,05', '--steps'],
    ] as const) {
      const message = usage(() => sweepAxes(flags({ [key]: [raw, flag] }), MODEL_FIELDS));
      expect(message).toContain(`${flag}: "${raw}" would be a sweep over`);
      expect(message).toContain(`(${raw.replaceAll(',', '')})`);
    }
    expect(usage(() => sweepAxes(flags({ guidance: ['2..5', '-g'] }), MODEL_FIELDS))).toBe(
      '-g: "2..5" has a range, and -g takes decimals: ranges are for whole-number flags only; list the values instead, e.g. -g 2,4.',
    );
    // A sweep is still a sweep, decimals included.
    expect(sweepAxes(flags({ seed: ['100,200', '--seed'] }), MODEL_FIELDS).axes[0]!.values).toEqual([100, 200]);
    expect(sweepAxes(flags({ guidance: ['0.5,2', '-g'] }), MODEL_FIELDS).axes[0]!.values).toEqual([0.5, 2]);
  });

  it('--image and switches are never split', () => {
    const { axes, fixed } = sweepAxes(
      flags({ image: ['https://x.test/a,b.png', '--image'], go_fast: [false, '--no-go-fast'] }),
      MODEL_FIELDS,
    );
    expect(axes).toEqual([]);
    expect(Object.keys(fixed)).toEqual(['image', 'go_fast']);
  });
});

describe('the product', () => {
  const { axes } = sweepAxes(
    flags({ aspect_ratio: ['1:1,16:9', '--aspect'], guidance: ['2,4,6', '--guidance'] }),
    MODEL_FIELDS,
  );

  it('first axis slowest, every combination once', () => {
    expect([...combinations(axes)]).toEqual([
      { aspect_ratio: '1:1', guidance: 2 },
      { aspect_ratio: '1:1', guidance: 4 },
      { aspect_ratio: '1:1', guidance: 6 },
      { aspect_ratio: '16:9', guidance: 2 },
      { aspect_ratio: '16:9', guidance: 4 },
      { aspect_ratio: '16:9', guidance: 6 },
    ]);
    expect([...combinations([])]).toEqual([{}]);
  });

  it('labels say what varies, safe in a file name; the seed is left to the name', () => {
    const seeds = sweepAxes(flags({ aspect_ratio: ['16:9,9:21', '-a'], seed: ['1,2', '--seed'] }), MODEL_FIELDS).axes;
    expect(comboLabel(axes, { aspect_ratio: '16:9', guidance: 4 })).toBe('aspect-16x9-guidance-4');
    expect(comboLabel(seeds, { aspect_ratio: '9:21', seed: 2 })).toBe('aspect-9x21');
  });

  it('the cap: more than the limit is refused with the count and the way out', () => {
    expect(() => checkSweepSize(axes, 6)).not.toThrow();
    const big = sweepAxes(flags({ seed: ['1..9', '--seed'], guidance: ['1,2', '-g'] }), MODEL_FIELDS).axes;
    const e = (() => {
      try {
        checkSweepSize(big, 16);
      } catch (err) {
        return err as UsageError;
      }
    })()!;
    expect(e.message).toBe('This sweep is 18 jobs (2 -g × 9 --seed), more than the 16 allowed without asking.');
    // The way out names a flag, so the CLI words it.
    expect(e.suggestion).toBeUndefined();
    expect(presentError(e).hint).toMatch(/--max-jobs 18/);
  });
});
