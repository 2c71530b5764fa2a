/**
 * Bodies of `auth login` and `auth status`. A key is checked against the credits endpoint,
 * the one call that costs nothing and needs a valid key: a mistyped key is caught when it is
 * stored, not when the first batch fails (issue 14).
 */
import { FluxKreaError, UsageError, isFluxKreaError } from '../errors.js';
import { readBalance, balanceJson, type Balance } from '../core/money/balance.js';
import { formatCredits } from '../core/money/credits.js';
import { beforeFirstRequest, endpoints, printJson, type Context } from './shared/context.js';
import { findApiKey, maskKey, openStore } from '../store/store.js';
import { EXIT } from './shared/exit-codes.js';
import { SegmindClient } from '../api/client.js';
import { readKey } from './shared/read-key.js';

type KeyCheck =
  { works: true; balance: Balance } | { works: false; error: FluxKreaError } | { works: null; error: FluxKreaError };

/** Asks Segmind for the balance with `key`: it works, it is rejected (401/403), or Segmind cannot be asked. */
async function checkKey(ctx: Context, key: string): Promise<KeyCheck> {
  await beforeFirstRequest();
  const client = new SegmindClient({
    apiKey: key,
    ...endpoints(ctx.env),
    retries: 1,
    requestTimeoutMs: 15_000,
    connectTimeoutMs: 10_000,
  });
  try {
    return { works: true, balance: await readBalance(client, ctx.signal) };
  } catch (e) {
    if (!isFluxKreaError(e) || e.kind === 'interrupted') throw e;
    return e.kind === 'auth' ? { works: false, error: e } : { works: null, error: e };
  } finally {
    await client.close();
  }
}

function balanceText(b: Balance): string {
  const free = b.freeCredits ? ` (+ ${formatCredits(b.freeCredits)} free)` : '';
  return b.record ? `${formatCredits(b.credits)} credits${free}` : 'no balance record yet';
}

export async function runLogin(ctx: Context, opts: { verify: boolean }): Promise<number> {
  const key = (await readKey(ctx)).trim();
  if (!key)
    throw new UsageError('No key given.', {
      suggestion: 'Paste the key from https://cloud.segmind.com/console/api-keys.',
    });
  if (/\s/.test(key))
    throw new UsageError('The key has spaces or line breaks inside; nothing was stored.', {
      suggestion: 'Paste only the key (Segmind keys look like SG_ and 16 letters and digits).',
    });
  if (!/^[\x21-\x7e]+$/.test(key))
    throw new UsageError('The key has characters that cannot be sent in a header; paste just the key.');
  let works = '';
  if (opts.verify) {
    const check = await checkKey(ctx, key);
    if (check.works === false) {
      throw new FluxKreaError(
        'auth',
        `Segmind rejected the key ${maskKey(key)}: ${check.error.message.replace(/([^.!?])$/, '$1.')} Nothing was stored.`,
        {
          suggestion: 'Copy the key again from https://cloud.segmind.com/console/api-keys.',
        },
      );
    }
    if (check.works === null) {
      throw new FluxKreaError(
        check.error.kind,
        `Could not reach Segmind to check the key (${check.error.message}). Nothing was stored.`,
        {
          suggestion:
            'Check the network (and SEGMIND_BASE_URL if set) and run `flux-krea auth login` again, or store the key unchecked with `flux-krea auth login --no-verify`.',
        },
      );
    }
    works = `; it works (${balanceText(check.balance)})`;
  }
  const store = await openStore(ctx.env);
  await store.set('apiKey', key);
  // One line for what happened, one for what to do next (issue 13 item 10).
  ctx.ui.info(
    `Stored key ${maskKey(key)} in ${store.path} (readable only by you)${opts.verify ? works : '; not checked'}.`,
  );
  if (ctx.env.SEGMIND_API_KEY) {
    ctx.ui.warn(
      'SEGMIND_API_KEY is set in this environment and is used instead of the stored key; unset it to use the one just stored.',
    );
  } else {
    ctx.ui.info('Next: flux-krea "a red fox in fresh snow" (or add --dry-run to see the request without sending it).');
  }
  return EXIT.ok;
}

/** 0: a key that works; 3: no key, or a rejected one; 1: Segmind could not be asked. */
export async function runAuthStatus(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const found = await findApiKey(ctx.env);
  const path = found?.path ?? (await openStore(ctx.env)).path;
  if (!found) {
    if (opts.json)
      printJson(ctx, {
        schema_version: 1,
        logged_in: false,
        source: null,
        key: null,
        config_path: path,
        key_works: null,
      });
    else ctx.stdout.write('no key: set SEGMIND_API_KEY or run `flux-krea auth login`\n');
    return EXIT.auth;
  }
  const check = await checkKey(ctx, found.key);
  const source = found.source === 'env' ? 'SEGMIND_API_KEY' : 'config';
  if (opts.json) {
    printJson(ctx, {
      schema_version: 1,
      logged_in: true,
      source,
      key: maskKey(found.key),
      config_path: path,
      key_works: check.works,
      ...(check.works ? balanceJson(check.balance) : { error: check.error.message }),
    });
  } else {
    ctx.stdout.write(
      `key ${maskKey(found.key)} from ${found.source === 'env' ? 'the SEGMIND_API_KEY environment variable' : path}\n`,
    );
    if (check.works) ctx.stdout.write(`works · ${balanceText(check.balance)}\n`);
    else if (check.works === false) ctx.stdout.write(`rejected by Segmind: ${check.error.message}\n`);
    else ctx.stdout.write(`not checked: Segmind could not be reached (${check.error.message})\n`);
  }
  return check.works ? EXIT.ok : check.works === false ? EXIT.auth : EXIT.error;
}

/** `auth logout`: removes the stored key; one in the environment stays, and the user is told. */
export async function runLogout(ctx: Context): Promise<void> {
  const store = await openStore(ctx.env);
  const had = Boolean(store.get('apiKey'));
  await store.delete('apiKey');
  ctx.ui.info(had ? `Removed the stored key from ${store.path}.` : 'No key was stored.');
  if (ctx.env.SEGMIND_API_KEY) ctx.ui.warn('SEGMIND_API_KEY is still set in your environment.');
}
