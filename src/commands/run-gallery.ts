/** The gallery command's body: writes the page, says what it holds. */
import { writeGallery } from '../output/gallery/index.js';
import type { Context } from './shared/context.js';

export async function runGallery(
  ctx: Context,
  inputs: string[],
  o: { out: string; title: string; thumbSize: number },
): Promise<void> {
  const r = await writeGallery({ inputs, out: o.out, title: o.title, thumbSize: o.thumbSize });
  for (const w of r.warnings) ctx.ui.warn(w);
  ctx.stdout.write(`${o.out}\n`);
  ctx.ui.info(
    `gallery: ${r.cards} image${r.cards === 1 ? '' : 's'} in ${r.groups} group${r.groups === 1 ? '' : 's'}, ${Math.round(r.bytes / 1024)} KB`,
  );
}
