/**
 * The body of `flux-krea inspect`: each image's record, as lines for people or one JSON array
 * for scripts. An image without a record, or one that cannot be read, is said on stderr (and
 * in the JSON) without stopping the others.
 */
import { readProvenance, ProvenanceError, type FoundProvenance } from '../output/provenance-reader.js';
import { sidecarPath } from '../output/metadata.js';
import { EXIT } from './shared/exit-codes.js';
import { printable } from '../util/printable.js';
import { printJson, type Context } from './shared/context.js';

const NO_RECORD_HINT =
  'Images carry their record when made with --metadata embed (inside the file) or --metadata sidecar (<image>.json beside it).';

type Finding =
  { path: string; found: FoundProvenance } | { path: string; problem: 'no-record' | 'unreadable'; message: string };

export async function runInspect(ctx: Context, paths: string[], o: { json: boolean }): Promise<number> {
  const findings: Finding[] = [];
  for (const path of paths) {
    try {
      const found = await readProvenance(path);
      findings.push(
        found
          ? { path, found }
          : {
              path,
              problem: 'no-record',
              message: `${path} carries no flux-krea record: no embedded metadata, and no ${sidecarPath(path)} beside it.`,
            },
      );
    } catch (e) {
      if (!(e instanceof ProvenanceError)) throw e;
      findings.push({ path, problem: 'unreadable', message: `${e.message}.` });
    }
  }
  // A document is an object (schema_version): the images go under a name.
  if (o.json) printJson(ctx, { images: findings.map(toJson) });
  else
    ctx.stdout.write(
      findings
        .filter((f) => 'found' in f)
        .map((f) => describe(f.path, (f as { found: FoundProvenance }).found))
        .join('\n'),
    );
  const missing = findings.filter((f): f is Extract<Finding, { problem: string }> => 'problem' in f);
  const lastNoRecord = missing.filter((f) => f.problem === 'no-record').at(-1);
  // The advice once, after the last image it concerns.
  for (const f of missing) ctx.ui.error(f.message, f === lastNoRecord ? NO_RECORD_HINT : undefined);
  if (missing.some((f) => f.problem === 'unreadable')) return EXIT.usage;
  return missing.length ? EXIT.error : EXIT.ok;
}

function toJson(f: Finding): Record<string, unknown> {
  if ('problem' in f) return { path: f.path, found: false, error: { kind: f.problem, message: f.message } };
  const p = f.found.provenance;
  return {
    path: f.path,
    found: true,
    source: f.found.source,
    record: f.found.recordPath,
    prompt: p.prompt,
    seed: p.seed,
    request_id: p.request_id,
    model: p.model ?? null,
    created_at: p.created_at ?? null,
    cost: typeof p.cost === 'number' ? p.cost : null,
    generator: p.generator ?? null,
    image: p.image ?? null,
    params: p.params,
  };
}

function describe(path: string, f: FoundProvenance): string {
  const p = f.provenance;
  const params = Object.entries(p.params).filter(([k]) => k !== 'prompt' && k !== 'seed');
  const rows: [string, string][] = [
    ['prompt', p.prompt],
    ['seed', p.seed === null ? 'unknown' : String(p.seed)],
    ['request id', p.request_id ?? 'unknown'],
    ['model', p.model ?? 'unknown'],
    ['created', p.created_at ?? 'unknown'],
    ['cost', typeof p.cost === 'number' ? `${p.cost} credits (the whole job)` : 'not recorded'],
    ['parameters', params.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')],
    ['record', f.source === 'embedded' ? 'embedded in the image' : f.recordPath],
    ['again', `flux-krea again ${quote(path)}`],
  ];
  // A record is anyone's text (images travel): its control characters never reach the terminal raw.
  return printable(`${path}\n${rows.map(([k, v]) => `  ${`${k}:`.padEnd(12)}${v}`).join('\n')}`) + '\n';
}

/** A path as a shell reads it back. */
function quote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
