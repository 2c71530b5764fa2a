/**
 * Manifest matrices and {name} templates: deterministic cells, stable keys, one shared seed,
 * and problems that name the entry's line, the cell and the field.
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { resolveEntries } from '../../src/core/batch/entries.js';
import type { RawEntry } from '../../src/core/batch/manifest.js';
import { fill, placeholders } from '../../src/core/batch/matrix.js';

const DEFAULTS = {
  aspect_ratio: '16:9',
  megapixels: '1',
  num_outputs: 1,
  guidance: 7,
  num_inference_steps: 40,
  output_format: 'jpg',
  output_quality: 90,
  go_fast: true,
  disable_safety_checker: false,
};
const raw = (...values: unknown[]): RawEntry[] => values.map((value, i) => ({ line: i + 1, value }));
const run = (entries: RawEntry[]) => resolveEntries({ raw: entries, defaults: DEFAULTS, manifestDir: tmpdir() });

const PETS = {
  name: 'pets',
  prompt: 'a {animal} in {style}',
  matrix: { animal: ['fox', 'owl'], style: ['watercolor', 'ink'], seed: [1, 2] },
};

describe('a matrix', () => {
  it("the issue's example is 8 jobs, in a deterministic order, each an ordinary entry", async () => {
    const { entries, problems } = await run(raw(PETS));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.params.prompt, e.params.seed])).toEqual([
      ['a fox in watercolor', 1],
      ['a fox in watercolor', 2],
      ['a fox in ink', 1],
      ['a fox in ink', 2],
      ['a owl in watercolor', 1],
      ['a owl in watercolor', 2],
      ['a owl in ink', 1],
      ['a owl in ink', 2],
    ]);
    expect(entries[0]!.key).toBe('pets[animal=fox seed=1 style=watercolor]');
    expect(entries[0]!.name).toBe('pets-fox-watercolor-seed-1');
    expect(entries[0]!.cell).toBe('animal=fox seed=1 style=watercolor');
    expect(new Set(entries.map((e) => e.key)).size).toBe(8);
    expect(entries.every((e) => e.line === 1 && e.params.guidance === 7)).toBe(true);
  });

  it('keys survive reordering the matrix, and adding a value keeps every existing cell', async () => {
    const a = await run(raw(PETS));
    const b = await run(
      raw({ ...PETS, matrix: { seed: [1, 2, 3], style: ['watercolor', 'ink'], animal: ['fox', 'owl'] } }),
    );
    const keysA = a.entries.map((e) => `${e.key} ${JSON.stringify(e.params)}`);
    const keysB = new Set(b.entries.map((e) => `${e.key} ${JSON.stringify(e.params)}`));
    expect(b.entries).toHaveLength(12);
    for (const k of keysA) expect(keysB.has(k)).toBe(true);
  });

  it('without a seed the cells share one derived seed, so that they compare; unnamed cells name what varies', async () => {
    const { entries } = await run(raw({ prompt: 'a {animal}', matrix: { animal: ['fox', 'owl'], guidance: [2, 4] } }));
    expect(new Set(entries.map((e) => e.params.seed)).size).toBe(1);
    expect(entries.every((e) => e.seedSource === 'derived')).toBe(true);
    const seed = entries[0]!.params.seed;
    expect(entries.map((e) => e.name)).toEqual([
      `a-fox-guidance-2-${seed}`,
      `a-fox-guidance-4-${seed}`,
      `a-owl-guidance-2-${seed}`,
      `a-owl-guidance-4-${seed}`,
    ]);
    expect(entries.map((e) => e.params.guidance)).toEqual([2, 4, 2, 4]);
  });

  it('placeholders in name and out; {{ }} are literal; a plain entry keeps its braces', async () => {
    const { entries, problems } = await run(
      raw(
        {
          name: 'pet-{animal}',
          out: 'pets/{animal}',
          prompt: 'a {animal} {{not a placeholder}}',
          matrix: { animal: ['fox', 'owl'] },
        },
        { prompt: 'a {literal} prompt' },
      ),
    );
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.out, e.params.prompt])).toEqual([
      ['pet-fox', 'pets/fox', 'a fox {not a placeholder}'],
      ['pet-owl', 'pets/owl', 'a owl {not a placeholder}'],
      [undefined, undefined, 'a {literal} prompt'],
    ]);
    expect(placeholders('{a} {{b}} { c }')).toEqual(['a', 'c']);
    expect(fill('{a}{{x}}', { a: 1 })).toBe('1{x}');
  });

  it('booleans and every parameter spelling can vary; values are checked like the flags', async () => {
    const { entries, problems } = await run(
      raw({ prompt: 'x', matrix: { go_fast: [true, false], format: ['PNG', 'webp'] } }),
    );
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.params.go_fast, e.params.output_format])).toEqual([
      [true, 'png'],
      [true, 'webp'],
      [false, 'png'],
      [false, 'webp'],
    ]);
  });
});

describe('a matrix with problems', () => {
  const messages = async (...values: unknown[]) =>
    (await run(raw(...values))).problems.map((p) => `${p.line}|${p.cell ?? ''}|${p.field ?? ''}|${p.message}`);

  it('names the entry, the field and the value; every problem, no entry', async () => {
    const out = await run(
      raw(
        {
          prompt: 'a {animl} {animal}',
          guidance: 3,
          matrix: { animal: ['fox', 'fox'], guidance: [2], steps: [10, 99], mood: ['calm'] },
        },
        PETS,
      ),
    );
    expect(out.entries).toHaveLength(8); // the good entry on line 2 is still resolved
    expect(out.problems.filter((p) => p.line === 1).map((p) => `${p.field}|${p.message}`)).toEqual([
      'matrix.animal[1]|"fox" is already in the list; each value makes its own jobs, so list it once',
      'matrix.guidance|guidance is also given as "guidance"; give it once',
      expect.stringMatching(
        /^matrix\.steps\[1\]\|matrix\.steps\[1\]: 99 is not allowed; use a whole number from 1 to 50\.$/,
      ),
      'prompt|unknown placeholder {animl}; did you mean {animal}? (the matrix has animal, steps, mood; write {{ and }} for literal braces)',
      'matrix.mood|"mood" is not a model parameter and no {mood} placeholder uses it: every cell would ask for the same image',
    ]);
  });

  it('unknown placeholders and unused variables are errors', async () => {
    expect(await messages({ prompt: 'a {animl}', matrix: { animal: ['fox', 'owl'] } })).toEqual([
      '1||prompt|unknown placeholder {animl}; did you mean {animal}? (the matrix has animal; write {{ and }} for literal braces)',
      '1||matrix.animal|"animal" is not a model parameter and no {animal} placeholder uses it: every cell would ask for the same image',
    ]);
  });

  it('a shape that is not a matrix', async () => {
    expect(
      await messages(
        { prompt: 'x', matrix: [1, 2] },
        { prompt: 'x', matrix: { seed: [] } },
        { prompt: 'x', matrix: { seed: [{}] } },
        { prompt: 'x', matrix: { name: ['a'] } },
        { matrix: { prompt: ['a', 'b'] } },
      ),
    ).toEqual([
      expect.stringMatching(/^1\|\|matrix\|must be an object of lists/),
      '2||matrix.seed|must be a non-empty list of values',
      '3||matrix.seed[0]|must be a string, a number or true/false',
      expect.stringMatching(/^4\|\|matrix\.name\|"name" cannot vary in a matrix/),
      expect.stringMatching(/^5\|\|matrix\.prompt\|"prompt" cannot vary in a matrix; use a \{placeholder\}/),
    ]);
  });

  it('a problem only one cell has names that cell', async () => {
    expect(await messages({ prompt: '{word}', matrix: { word: ['fine', ' '] } })).toEqual([
      '1|word= |prompt|prompt: " " is not allowed; use a non-empty value.',
    ]);
  });
});
