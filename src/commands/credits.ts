/** `flux-krea credits`: the account's balance, on stdout. */
import { Command } from 'commander';
import type { Context } from './shared/context.js';

export function creditsCommand(ctx: Context): Command {
  return new Command('credits')
    .description('Show the balance of your Segmind account (credits and free credits)')
    .option('--json', 'print a JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flux-krea credits\n  $ flux-krea credits --json\n\nA rejected key exits 3. Runs stop before paying for what the balance cannot cover (see "Money" in the README).',
    )
    .action(async (opts: { json?: boolean }) => {
      const { runCredits } = await import('./run.js');
      await runCredits(ctx, opts);
    });
}
