import { describe, expect, it } from 'vitest';
import { detectFormat, elementOffsets, parseManifest } from '../../src/core/batch/manifest.js';

describe('manifest formats', () => {
  it.each([
    ['a.txt', '{"prompt": "x"}', 'text'],
    ['a.jsonl', '[1]', 'jsonl'],
    ['a.ndjson', 'x', 'jsonl'],
    ['a.json', '[{"prompt": "x"}]', 'json'],
    ['a.json', '{"prompt": "x"}\n{"prompt": "y"}', 'jsonl'],
    ['prompts', '# comment\n[\n]', 'json'],
    ['prompts', '\n{"prompt": "x"}', 'jsonl'],
    ['prompts', 'a cat\n{not json', 'text'],
  ] as const)('%s holding %j is %s', (path, text, format) => {
    expect(detectFormat(path, text)).toBe(format);
  });

  it('plain text: one prompt per line; blank lines and # comments skipped; CRLF and BOM tolerated', () => {
    const m = parseManifest('p.txt', '\uFEFFa red fox\r\n\r\n# not a prompt\r\n  a blue whale  \r\n');
    expect(m.entries).toEqual([
      { line: 1, value: 'a red fox' },
      { line: 4, value: 'a blue whale' },
    ]);
    expect(m.problems).toEqual([]);
  });

  it('JSON Lines: each bad line is reported with its number, the good ones still parsed', () => {
    const m = parseManifest('p.jsonl', '{"prompt": "a"}\n{"prompt": \n\n# c\n{"prompt": "b"}\n');
    expect(m.entries.map((e) => e.line)).toEqual([1, 5]);
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]).toMatchObject({ line: 2 });
    expect(m.problems[0]!.message).toMatch(/^not valid JSON/);
  });

  it('JSON array: every element knows its line', () => {
    const text =
      '[\n  {"prompt": "a, [b]", "x": {"y": [1, 2]}},\n\n  "just a prompt",\n  {\n    "prompt": "c\\"]"\n  }\n]';
    const m = parseManifest('p.json', text);
    expect(m.entries.map((e) => e.line)).toEqual([2, 4, 5]);
    expect(m.entries[1]!.value).toBe('just a prompt');
  });

  it('JSON array: a syntax error points at its line; a non-array is refused', () => {
    const bad = parseManifest('p.json', '[\n  {"prompt": "a"},\n  {"prompt": }\n]');
    expect(bad.entries).toEqual([]);
    expect(bad.problems[0]!.line).toBe(3);
    expect(parseManifest('p.json', '[').problems[0]!.message).toMatch(/not valid JSON/);
  });

  it('elementOffsets finds top-level elements only', () => {
    const text = '[{"a": [1, {"b": 2}]}, "s,]", 3]';
    expect(elementOffsets(text).map((i) => text[i])).toEqual(['{', '"', '3']);
    expect(elementOffsets('[]')).toEqual([]);
  });
});

describe('manifest size', () => {
  it('a JSON array parses in linear time: 20,000 entries as fast as JSON Lines, give or take', () => {
    const n = 20_000;
    const objects = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ prompt: `a paper boat number ${i}`, seed: i }),
    );
    const time = (path: string, text: string, lastLine: number) => {
      const start = performance.now();
      const parsed = parseManifest(path, text);
      const ms = performance.now() - start;
      expect(parsed.entries).toHaveLength(n);
      expect(parsed.entries[n - 1]!.line).toBe(lastLine);
      return ms;
    };
    const lines = time('m.jsonl', objects.join('\n'), n);
    const array = time('m.json', `[\n${objects.join(',\n')}\n]\n`, n + 1);
    // Counting lines from the start for each element took ~30 s here; linear code takes
    // tens of milliseconds. The bound leaves room for a loaded machine.
    expect(array).toBeLessThan(Math.max(20 * lines, 1500));
  });
});
