/**
 * The command that makes a gallery card's image again, ready to paste into a POSIX shell:
 * `flux-krea again <image>` when the image carries its record, else the full generation
 * command with every recorded parameter as a flag (which works without any record).
 */
import { MODEL_FIELDS } from '../../params/fields.js';

/** Single-quotes anything but plain words, so that prompts with $, `, ', ; or newlines paste safely. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A path to paste after a command: `./` in front of one that starts with `-`, so it is never read as a flag. */
function pathArg(p: string): string {
  return shellQuote(p.startsWith('-') ? `./${p}` : p);
}

export function againCommand(relativeImage: string): string {
  return `flux-krea again ${pathArg(relativeImage)}`;
}

/** `flux-krea '<prompt>' --aspect 1:1 --seed 7 …` from the parameters as sent (API names). */
export function generateCommand(params: Record<string, unknown>): string {
  const flags: string[] = [];
  for (const f of MODEL_FIELDS) {
    if (f.key === 'prompt') continue;
    const v = params[f.key];
    if (v === undefined || v === null) continue;
    if (f.kind === 'boolean') flags.push(v ? `--${f.flag}` : `--no-${f.flag}`);
    else flags.push(`--${f.flag}`, shellQuote(String(v)));
  }
  const prompt = String(params.prompt ?? '');
  // A prompt that starts with `-` would be read as a flag: `--` ends the options before it.
  const words = prompt.startsWith('-') ? [...flags, '--', shellQuote(prompt)] : [shellQuote(prompt), ...flags];
  return ['flux-krea', ...words].join(' ');
}
