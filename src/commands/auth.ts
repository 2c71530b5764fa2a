/** `flux-krea auth login|status|logout`: the stored API key. */
import { Command } from 'commander';
import type { Context } from './shared/context.js';

export function authCommand(ctx: Context): Command {
  const auth = new Command('auth')
    .description('Store, show or remove your Segmind API key')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flux-krea auth login\n  $ flux-krea auth status\n  $ flux-krea auth logout',
    );
  auth
    .command('login')
    .description(
      'Store an API key after checking it with Segmind (prompted without echo on a terminal; read from stdin when piped)',
    )
    .option('--no-verify', 'store the key without checking it (when Segmind cannot be reached)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flux-krea auth login\n  $ printf %s "$KEY" | flux-krea auth login\n\nThe key is never taken as an argument, so it stays out of shell history and process lists.\nA key Segmind rejects (401/403) exits 3 and is not stored.',
    )
    .action(async (opts: { verify: boolean }) => {
      const { runLogin } = await import('./run.js');
      ctx.done?.(await runLogin(ctx, opts));
    });
  auth
    .command('status')
    .description(
      'Show where the key comes from (masked), whether it works and the balance; exit 3 when there is none or it is rejected',
    )
    .option('--json', 'print a JSON object')
    .addHelpText('after', '\nExamples:\n  $ flux-krea auth status\n  $ flux-krea auth status --json')
    .action(async (opts: { json?: boolean }) => {
      const { runAuthStatus } = await import('./run.js');
      ctx.done?.(await runAuthStatus(ctx, opts));
    });
  auth
    .command('logout')
    .description('Remove the stored key')
    .addHelpText('after', '\nExamples:\n  $ flux-krea auth logout\n\nSEGMIND_API_KEY, when set, is not affected.')
    .action(async () => {
      const { runLogout } = await import('./run.js');
      await runLogout(ctx);
    });
  return auth;
}
