/**
 * Bodies of `config set|get|unset|list|path`. Values are checked with `coerce`, the same code
 * that checks a flag, under the flag's name, so a bad value is refused with the same message.
 */
import { findProjectFile, readProjectFile, resolveSettings, type Resolved } from '../store/settings.js';
import { openStore, type Store } from '../store/store.js';
import { UsageError } from '../errors.js';
import { coerce, distance } from '../params/coerce.js';
import { ALL_FIELDS, CONFIG_FIELDS, envName, findField, flagName, type FieldSpec } from '../params/fields.js';
import { printJson, type Context } from './shared/context.js';

/** The field for a key typed as a flag name, an alias or the API name. */
export function configField(name: string): FieldSpec {
  const field = findField(name, CONFIG_FIELDS);
  if (field) return field;
  const keys = CONFIG_FIELDS.map((f) => f.flag).join(', ');
  if (findField(name, ALL_FIELDS)) {
    throw new UsageError(`"${name}" cannot be saved as a default.`, { suggestion: `Keys: ${keys}.` });
  }
  const spellings = CONFIG_FIELDS.flatMap((f) => [f.flag, f.key, ...(f.aliases ?? [])].map((s) => ({ s, f })));
  const best = spellings.map(({ s, f }) => ({ f, d: distance(name.toLowerCase(), s) })).sort((a, b) => a.d - b.d)[0];
  const hint = best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? ` Did you mean ${best.f.flag}?` : '';
  throw new UsageError(`Unknown config key "${name}".${hint}`, { suggestion: `Keys: ${keys}.` });
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The saved defaults without any spelling of `field`, so that one value per key remains. */
function without(store: Store, field: FieldSpec): Record<string, unknown> {
  const saved = { ...(store.get('defaults') ?? {}) };
  for (const k of Object.keys(saved)) if (findField(k, CONFIG_FIELDS)?.key === field.key) delete saved[k];
  return saved;
}

export async function runConfigSet(ctx: Context, name: string, raw: string): Promise<void> {
  const field = configField(name);
  const value = coerce(field, raw, flagName(field));
  const store = await openStore(ctx.env);
  // Saved under the flag name, as people write them in a project file.
  await store.set('defaults', { ...without(store, field), [field.flag]: value });
  ctx.ui.info(`Saved ${field.flag} = ${show(value)} in ${store.path}.`);
  // A saved default that silently loses to another layer is a classic "why is it ignored?".
  if (ctx.env[envName(field)]) ctx.ui.warn(`${envName(field)} is set and wins over this default.`);
  const project = findProjectFile(process.cwd(), { home: ctx.env.HOME });
  if (project) {
    const names = Object.keys(await readProjectFile(project).catch(() => ({})));
    if (names.some((n) => findField(n, CONFIG_FIELDS)?.key === field.key))
      ctx.ui.warn(`${project} sets ${field.flag} and wins over this default here.`);
  }
}

export async function runConfigUnset(ctx: Context, name: string): Promise<void> {
  const field = configField(name);
  const store = await openStore(ctx.env);
  const before = store.get('defaults') ?? {};
  const after = without(store, field);
  if (Object.keys(after).length === Object.keys(before).length) {
    ctx.ui.info(`${field.flag} was not saved; nothing to remove.`);
    return;
  }
  await store.set('defaults', after);
  ctx.ui.info(`Removed ${field.flag} from ${store.path}.`);
}

async function effective(ctx: Context): Promise<{ resolved: Resolved; store: Store }> {
  const store = await openStore(ctx.env);
  const resolved = await resolveSettings({
    flags: {},
    env: ctx.env,
    userDefaults: store.get('defaults'),
    userConfigPath: store.path,
    fields: CONFIG_FIELDS,
  });
  return { resolved, store };
}

export async function runConfigGet(ctx: Context, name: string): Promise<void> {
  const field = configField(name);
  const { resolved } = await effective(ctx);
  const value = resolved.values[field.key];
  if (value === undefined) {
    ctx.ui.info(
      `${field.flag} has no value (${field.key === 'seed' ? 'a random seed is picked and reported' : 'the server decides'}).`,
    );
    return;
  }
  ctx.stdout.write(`${show(value)}\n`);
}

export async function runConfigList(ctx: Context, json: boolean): Promise<void> {
  const { resolved } = await effective(ctx);
  const rows = CONFIG_FIELDS.map((f) => {
    const origin = resolved.origins[f.key];
    return { f, value: resolved.values[f.key], source: origin?.source ?? null, where: origin?.where ?? null };
  });
  if (json) {
    printJson(ctx, {
      settings: Object.fromEntries(
        rows.map((r) => [r.f.flag, { value: r.value ?? null, source: r.source, where: r.where, api_name: r.f.key }]),
      ),
    });
    return;
  }
  const width = Math.max(...rows.map((r) => r.f.flag.length)) + 2;
  const valueWidth = Math.max(...rows.map((r) => (r.value === undefined ? 1 : show(r.value).length))) + 2;
  for (const r of rows) {
    const value = r.value === undefined ? '-' : show(r.value);
    const source = r.source === null ? 'not set' : r.source === 'default' ? 'default' : `${r.source} (${r.where})`;
    ctx.stdout.write(`${r.f.flag.padEnd(width)}${value.padEnd(valueWidth)}${source}\n`);
  }
}

export async function runConfigPath(ctx: Context): Promise<void> {
  const store = await openStore(ctx.env);
  ctx.stdout.write(`${store.path}\n`);
  const project = findProjectFile(process.cwd(), { home: ctx.env.HOME });
  if (project) ctx.ui.info(`A project file also applies here and wins over it: ${project}`);
}
