import { describe, expect, it } from 'vitest';
import { formatJson, formatJsonLine, jsonDocument } from '../../src/commands/shared/json-document.js';

describe('--json documents', () => {
  it('start with schema_version 1; a line is one line, a document is indented', () => {
    expect(Object.keys(jsonDocument({ a: 1 }))).toEqual(['schema_version', 'a']);
    expect(formatJsonLine({ a: 'x\ny' })).toBe('{"schema_version":1,"a":"x\\ny"}\n');
    expect(formatJson({ a: 1 })).toBe('{\n  "schema_version": 1,\n  "a": 1\n}\n');
  });

  it('refuse a list, which would spread into {"0": ...}', () => {
    expect(() => jsonDocument([1, 2] as unknown as Record<string, unknown>)).toThrow(/must be an object/);
  });
});
