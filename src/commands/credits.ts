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
      const { makeClient, printJson } = await import('./shared/context.js');
      const { readBalance, balanceJson } = await import('../core/money/balance.js');
      const { formatCredits } = await import('../core/money/credits.js');
      const client = await makeClient(ctx, { retries: 2, requestTimeoutSeconds: 30 });
      try {
        const balance = await readBalance(client, ctx.signal);
        if (opts.json) {
          printJson(ctx, { schema_version: 1, ...balanceJson(balance) });
          return;
        }
        const free = balance.freeCredits ? ` (+ ${formatCredits(balance.freeCredits)} free)` : '';
        ctx.stdout.write(`${formatCredits(balance.credits)} credits${free}\n`);
        if (!balance.record)
          ctx.ui.info('Segmind has no balance record for this account yet (it has never had credits).');
      } finally {
        await client.close();
      }
    });
}
