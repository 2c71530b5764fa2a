/** `flux-krea auth login|status|logout`: the stored API key. */
import { Command } from 'commander';
import type { Context } from './shared/context.js';
import { UsageError } from '../errors.js';
import { EXIT } from './shared/exit-codes.js';

export function authCommand(ctx: Context): Command {
  const auth = new Command('auth').description('Store, show or remove your Segmind API key')
    .addHelpText('after', '\nExamples:\n  $ flux-krea auth login\n  $ flux-krea auth status\n  $ flux-krea auth logout');
  auth.command('login')
    .description('Store an API key (prompted without echo on a terminal; read from stdin when piped)')
    .addHelpText('after', '\nExamples:\n  $ flux-krea auth login\n  $ printf %s "$KEY" | flux-krea auth login\n\nThe key is never taken as an argument, so it stays out of shell history and process lists.')
    .action(async () => {
      const { readKey } = await import('./shared/read-key.js');
      const { openStore, maskKey } = await import('../store/store.js');
      const key = (await readKey(ctx)).trim();
      if (!key) throw new UsageError('No key given.', { suggestion: 'Paste the key from https://cloud.segmind.com/console/api-keys.' });
      if (/\s/.test(key)) throw new UsageError('The key contains spaces or line breaks; paste just the key.');
      const store = await openStore(ctx.env);
      await store.set('apiKey', key);
      ctx.ui.info(`Stored key ${maskKey(key)} in ${store.path} (mode 0600).`);
      if (ctx.env.SEGMIND_API_KEY) ctx.ui.warn('SEGMIND_API_KEY is set and wins over the stored key.');
    });
  auth.command('status')
    .description('Show where the key comes from (masked); exit 3 when there is none')
    .option('--json', 'print a JSON object')
    .addHelpText('after', '\nExamples:\n  $ flux-krea auth status\n  $ flux-krea auth status --json')
    .action(async (opts: { json?: boolean }) => {
      const { findApiKey, maskKey, openStore } = await import('../store/store.js');
      const found = await findApiKey(ctx.env);
      const path = found?.path ?? (await openStore(ctx.env)).path;
      const info = found
        ? { logged_in: true, source: found.source === 'env' ? 'SEGMIND_API_KEY' : 'config', key: maskKey(found.key), config_path: path }
        : { logged_in: false, source: null, key: null, config_path: path };
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      } else if (found) {
        ctx.stdout.write(`key ${info.key} from ${found.source === 'env' ? 'the SEGMIND_API_KEY environment variable' : path}\n`);
      } else {
        ctx.stdout.write('no key: set SEGMIND_API_KEY or run `flux-krea auth login`\n');
      }
      // 3, as for a run without a key: scripts test `auth status` before they spend.
      ctx.done?.(found ? EXIT.ok : EXIT.auth);
    });
  auth.command('logout')
    .description('Remove the stored key')
    .addHelpText('after', '\nExamples:\n  $ flux-krea auth logout\n\nSEGMIND_API_KEY, when set, is not affected.')
    .action(async () => {
      const { openStore } = await import('../store/store.js');
      const store = await openStore(ctx.env);
      const had = Boolean(store.get('apiKey'));
      await store.delete('apiKey');
      ctx.ui.info(had ? `Removed the stored key from ${store.path}.` : 'No key was stored.');
      if (ctx.env.SEGMIND_API_KEY) ctx.ui.warn('SEGMIND_API_KEY is still set in your environment.');
    });
  return auth;
}
