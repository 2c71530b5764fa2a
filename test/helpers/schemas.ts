/**
 * Validates documents against the published schemas (schemas/*.json) with ajv (draft 2020-12).
 *
 * The schemas are open, so that a version-1 consumer keeps working when a field is added; the
 * tests close them (additionalProperties: false wherever properties are listed), so that a
 * field the CLI prints but no schema describes fails a test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

export const SCHEMA_DIR = resolve(import.meta.dirname, '../../schemas');

export function schemaFiles(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** A copy where every object that lists its properties allows no others. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const o = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === 'enum' || k === 'const' ? v : closed(v)]),
  );
  if ('properties' in o && !('additionalProperties' in o)) o.additionalProperties = false;
  return o;
}

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function makeAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addFormat('date-time', DATE_TIME);
  return ajv;
}

const cache = new Map<string, ValidateFunction>();

/** The validator of a schema, closed (see above). */
export function validator(name: string): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    v = makeAjv().compile(closed(loadSchema(name)) as object);
    cache.set(name, v);
  }
  return v;
}

/** Throws with ajv's words when `doc` does not fit the schema `name`; returns the document. */
export function expectValid<T = Record<string, unknown>>(name: string, doc: unknown): T {
  const v = validator(name);
  if (!v(doc))
    throw new Error(
      `not a valid "${name}" document: ${JSON.stringify(v.errors, null, 2)}\n${JSON.stringify(doc, null, 2)}`,
    );
  return doc as T;
}
