/**
 * What a gallery shows, gathered from what the user names: batch lock files (several shards
 * merged), manifests (read through their lock files), directories of images (with their
 * embedded or sidecar records), or single images.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { confinedPath, isPlainFile } from '../../util/plain-file.js';
import { ProvenanceError, readProvenance, type FoundProvenance } from '../provenance-reader.js';

export interface GalleryItem {
  /** Cards of one group share a heading: a batch entry, or one prompt. */
  group: string;
  /** Absolute path of the image; undefined for an entry that produced none (failed, still running). */
  file?: string;
  prompt: string;
  params: Record<string, unknown>;
  seed: number | null;
  requestId: string | null;
  cost?: number;
  state?: 'done' | 'failed' | 'submitted';
  error?: string;
  /** The image carries its own record (embedded or sidecar): `flux-krea again <file>` can remake it. */
  recorded: boolean;
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp']);

export interface Collected {
  items: GalleryItem[];
  warnings: string[];
}

export async function collect(inputs: readonly string[]): Promise<Collected> {
  const out: Collected = { items: [], warnings: [] };
  const seen = new Set<string>();
  const add = (item: GalleryItem) => {
    const id = item.file ?? `${item.group}\u0000${item.requestId}\u0000${item.error}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.items.push(item);
  };
  for (const input of inputs) {
    const info = await stat(input).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`gallery: cannot read ${input} (${e.code ?? e.message}).`, {
        suggestion: 'Name batch lock files, manifests, directories of images, or images.',
      });
    });
    if (info.isDirectory()) {
      for (const file of await imagesIn(input)) await fromImage(file, out.warnings).then(add);
    } else if (IMAGE_EXT.has(extname(input).toLowerCase())) {
      add(await fromImage(input, out.warnings));
    } else {
      const lock = await readLock(input);
      const locks = lock ? [{ path: input, doc: lock }] : await locksOfManifest(input);
      for (const l of locks) for (const item of await fromLock(l.path, l.doc, out.warnings)) add(item);
    }
  }
  return out;
}

/** Images under a directory, sorted, skipping hidden folders and node_modules (at most 6 levels deep). */
async function imagesIn(dir: string, depth = 0): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, e.name);
    if (e.isDirectory() && depth < 6 && !e.name.startsWith('.') && e.name !== 'node_modules')
      files.push(...(await imagesIn(path, depth + 1)));
    else if (e.isFile() && IMAGE_EXT.has(extname(e.name).toLowerCase())) files.push(path);
  }
  return files;
}

async function record(file: string, warnings: string[]): Promise<FoundProvenance | undefined> {
  try {
    return await readProvenance(file);
  } catch (e) {
    if (!(e instanceof ProvenanceError)) throw e;
    warnings.push(`${e.message}; shown without it.`);
    return undefined;
  }
}

function costOf(...sources: unknown[]): number | undefined {
  for (const s of sources) {
    if (!s || typeof s !== 'object') continue;
    const o = s as { cost?: unknown; metrics?: { cost?: unknown } };
    const c = typeof o.cost === 'number' ? o.cost : typeof o.metrics?.cost === 'number' ? o.metrics.cost : undefined;
    if (c !== undefined && Number.isFinite(c)) return c;
  }
  return undefined;
}

async function fromImage(file: string, warnings: string[]): Promise<GalleryItem> {
  const found = await record(file, warnings);
  const p = found?.provenance;
  return {
    group: p?.prompt || basename(file),
    file: resolve(file),
    prompt: p?.prompt ?? '',
    params: p?.params ?? {},
    seed: p?.seed ?? null,
    requestId: p?.request_id ?? null,
    cost: costOf(p),
    recorded: Boolean(found),
  };
}

interface LockDoc {
  'flux-krea-lock': number;
  entries: Record<
    string,
    {
      state?: string;
      request_id?: string;
      params?: Record<string, unknown>;
      files?: { path: string }[];
      error?: string;
      cost?: number;
    }
  >;
}

async function readLock(path: string): Promise<LockDoc | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `gallery: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
    );
  }
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const doc = JSON.parse(text) as Partial<LockDoc>;
    return doc && typeof doc === 'object' && 'flux-krea-lock' in doc && doc.entries && typeof doc.entries === 'object'
      ? (doc as LockDoc)
      : undefined;
  } catch {
    return undefined; // a JSON manifest that is not valid: looked for as a manifest's lock below
  }
}

/** A manifest's lock files: `<manifest>.lock.json` and every `<manifest>.shard-i-of-n.lock.json`. */
async function locksOfManifest(manifest: string): Promise<{ path: string; doc: LockDoc }[]> {
  const dir = dirname(manifest);
  const base = basename(manifest);
  const names = (await readdir(dir))
    .filter((n) => n === `${base}.lock.json` || (n.startsWith(`${base}.shard-`) && n.endsWith('.lock.json')))
    .sort();
  const locks: { path: string; doc: LockDoc }[] = [];
  for (const n of names) {
    const doc = await readLock(join(dir, n));
    if (doc) locks.push({ path: join(dir, n), doc });
  }
  if (!locks.length) {
    throw new UsageError(
      `gallery: ${manifest} is neither a lock file nor a manifest with one (${base}.lock.json, ${base}.shard-i-of-n.lock.json).`,
      {
        suggestion: 'Run the batch first, or name its lock file or the directory of its images.',
      },
    );
  }
  return locks;
}

/** A batch entry's key without a repeat or cell suffix (`hero#2`, `pets[fox,ink]`), so repeats and sweep cells share a group. */
export function entryGroup(key: string): string {
  return key.replace(/\s*[#[@{(].*$/, '') || key;
}

async function fromLock(path: string, doc: LockDoc, warnings: string[]): Promise<GalleryItem[]> {
  const dir = dirname(resolve(path));
  const items: GalleryItem[] = [];
  for (const [key, rec] of Object.entries(doc.entries)) {
    const params = rec.params && typeof rec.params === 'object' ? rec.params : {};
    const base: Omit<GalleryItem, 'recorded'> = {
      group: entryGroup(key),
      prompt: String(params.prompt ?? ''),
      params,
      seed: typeof params.seed === 'number' ? params.seed : null,
      requestId: rec.request_id ?? null,
      state: rec.state === 'done' || rec.state === 'failed' || rec.state === 'submitted' ? rec.state : undefined,
      error: rec.error,
    };
    const files = Array.isArray(rec.files) ? rec.files.filter((f) => f && typeof f.path === 'string') : [];
    if (!files.length) {
      items.push({ ...base, cost: costOf(rec), recorded: false });
      continue;
    }
    for (const f of files) {
      // A lock arrives in pull requests: its paths are relative, stay inside the lock's folder
      // or the one the gallery is made in (where -o of a manifest in a subfolder may point), and
      // name plain files only (never /dev/zero, a FIFO or a symlink to a secret), or they are
      // not read (issue 12 item 6).
      const file = confinedPath(dir, f.path) ?? confinedPath(dir, f.path, process.cwd());
      if (!file || !(await isPlainFile(file))) {
        const missing =
          file &&
          !(await lstat(file).then(
            () => true,
            () => false,
          ));
        warnings.push(
          `${path}: ${key}: ${f.path} is ${missing ? 'missing' : 'not a plain file of the batch'}; shown without a picture.`,
        );
        items.push({ ...base, cost: costOf(rec), recorded: false });
        continue;
      }
      const found = await record(file, warnings);
      items.push({ ...base, file, cost: costOf(found?.provenance, rec), recorded: Boolean(found) });
    }
  }
  return items;
}
