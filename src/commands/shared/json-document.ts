/**
 * Every `--json` document carries `schema_version`, so a script can tell the shape it reads.
 * Version 1 may gain fields; it never loses or changes one (a change of that kind is version
 * 2). The shapes are JSON Schemas in schemas/*.json, printed by `flux-krea schema <name>`.
 */
export const SCHEMA_VERSION = 1;

export type JsonDocument<T extends object> = { schema_version: typeof SCHEMA_VERSION } & T;

export function jsonDocument<T extends object>(body: T): JsonDocument<T> {
  return { schema_version: SCHEMA_VERSION, ...body };
}

/** One document, indented for people who read it too. */
export function formatJson(body: object): string {
  return `${JSON.stringify(jsonDocument(body), null, 2)}\n`;
}

/** One line of a JSON Lines stream (batch --json). */
export function formatJsonLine(body: object): string {
  return `${JSON.stringify(jsonDocument(body))}\n`;
}
