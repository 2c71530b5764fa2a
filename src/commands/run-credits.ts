/** The credits command's body: the account's balance, on stdout. */
import { readBalance, balanceJson } from '../core/money/balance.js';
import { formatCredits } from '../core/money/credits.js';
import { makeClient, printJson, type Context } from './shared/context.js';

export async function runCredits(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const client = await makeClient(ctx, { retries: 2, requestTimeoutSeconds: 30 });
  try {
    const balance = await readBalance(client, ctx.signal);
    if (opts.json) {
      printJson(ctx, { schema_version: 1, ...balanceJson(balance) });
      return;
    }
    const free = balance.freeCredits ? ` (+ ${formatCredits(balance.freeCredits)} free)` : '';
    ctx.stdout.write(`${formatCredits(balance.credits)} credits${free}\n`);
    if (!balance.record) ctx.ui.info('Segmind has no balance record for this account yet (it has never had credits).');
  } finally {
    await client.close();
  }
}
