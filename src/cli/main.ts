/**
 * The CLI entry: builds the commander tree, runs it, and is the one place where errors become
 * a message and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { OutputError } from '../errors.js';
import { EXIT } from '../commands/shared/exit-codes.js';
import { printError, reportError } from '../commands/shared/report-error.js';
import { createUi, type Ui } from './ui.js';
import { fdOutput, secretSafeOutput, stderrOutput, type Output } from './output.js';
import { rememberSecret } from '../util/secrets.js';
import type { Context } from '../commands/shared/context.js';
import { generateCommand, configureGenerate } from '../commands/generate.js';
import { authCommand } from '../commands/auth.js';
import { creditsCommand } from '../commands/credits.js';
import { resultCommand, statusCommand, jobsCommand } from '../commands/result.js';
import { configCommand } from '../commands/config.js';
import { completionCommand, completeCommand } from '../commands/completion.js';
import { batchCommand } from '../commands/batch.js';
import { galleryCommand } from '../commands/gallery.js';
import { againCommand } from '../commands/again.js';
import { inspectCommand } from '../commands/inspect.js';
import { schemaCommand } from '../commands/schema.js';
import { VERSION } from '../version.js';
import { refuseCommandLikePrompt } from './command-words.js';
import { formatRootHelp, ROOT_HELP_FOOTER } from './root-help.js';

/** The whole command tree, every option registered. */
export function buildProgram(ctx: Context): Command {
  const program = new Command('flux-krea')
    .description('Generate images with FLUX.1 Krea [dev] on Segmind, from your terminal, scripts and CI.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    // The root command has generate's flags (--json, -o ...): without this it would take them
    // from subcommands too, e.g. `flux-krea jobs --json`.
    .enablePositionalOptions()
    .usage('[prompt...] [options]\n       flux-krea <command> [options]')
    .configureHelp({ formatHelp: formatRootHelp });
  // The root command generates, so that `flux-krea --help` shows every flag; `generate` is the
  // same command by name, for prompts that collide with a command name.
  configureGenerate(program, ctx, {
    brief: true,
    checkWords: (words) => refuseCommandLikePrompt(words, [...program.commands.map((c) => c.name()), 'help']),
  });
  program.addHelpText('after', ROOT_HELP_FOOTER);
  // `flux-krea help` shows the help instead of becoming a paid prompt (issue 13 item 1);
  // `flux-krea help jobs` shows a command's.
  program.helpCommand('help [command]', 'Show help for flux-krea or one command');
  program.addCommand(generateCommand(ctx));
  program.addCommand(authCommand(ctx));
  program.addCommand(creditsCommand(ctx));
  program.addCommand(resultCommand(ctx));
  program.addCommand(statusCommand(ctx));
  program.addCommand(jobsCommand(ctx));
  program.addCommand(batchCommand(ctx));
  program.addCommand(galleryCommand(ctx));
  program.addCommand(againCommand(ctx));
  program.addCommand(inspectCommand(ctx));
  program.addCommand(schemaCommand(ctx));
  program.addCommand(configCommand(ctx));
  program.addCommand(completionCommand(ctx));
  program.addCommand(completeCommand(ctx), { hidden: true });
  // Help and usage errors go to ctx.stdout and ctx.stderr, which know without building the
  // process's streams whether they are terminals (output.ts); the help has no colour of its
  // own for hasColors to strip.
  const output = {
    writeOut: (s: string) => ctx.stdout.write(s),
    writeErr: (s: string) => ctx.stderr.write(s),
    // 80: commander's own width off a terminal.
    getOutHelpWidth: () => ctx.stdout.columns() ?? 80,
    getErrHelpWidth: () => ctx.stderr.columns() ?? 80,
    getOutHasColors: () => ctx.stdout.hasColors(),
    getErrHasColors: () => ctx.stderr.hasColors(),
  };
  // Commander errors (unknown option, missing argument) are usage errors: exit 2, not 1.
  const override = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput(output);
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

/** Their POSIX numbers, the same on every platform Node runs on (os.constants would cost a load). */
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
// Windows has no SIGQUIT to listen for.
const SIGNAL_NAMES = (Object.keys(SIGNALS) as NodeJS.Signals[]).filter(
  (s) => process.platform !== 'win32' || s !== 'SIGQUIT',
);

/** Runs the CLI and resolves with the exit code; exits early only on a second Ctrl-C. */
export async function main(
  argv: string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  stdout: Output = fdOutput(1),
  stderr: Output = stderrOutput(),
): Promise<number> {
  // No API key leaves the process in a message (issue 12 item 11): the environment's key and
  // one given as an argument (refused below by commander, which would echo it) are secrets.
  rememberSecret(env.SEGMIND_API_KEY);
  argv.forEach((arg, i) => {
    if (/^--?(api-?key|key|token)(=|$)/i.test(arg))
      rememberSecret(arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1]);
  });
  stdout = secretSafeOutput(stdout);
  stderr = secretSafeOutput(stderr);
  const controller = new AbortController();
  let firstInterrupt = 0;
  // The exit code of an interrupted run: 128 + the first signal's number, as shells expect.
  let interruptCode: number = EXIT.interrupted;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (!firstInterrupt) {
      firstInterrupt = now;
      interruptCode = 128 + SIGNALS[signal as keyof typeof SIGNALS];
      controller.abort();
      return;
    }
    // A second Ctrl-C while cleanup runs means "now". One that follows within a moment is not
    // the user's: conf's write-file library re-sends SIGINT to the process from its exit hook.
    if (now - firstInterrupt > 300) process.exit(interruptCode);
  };
  // A closed terminal or SSH session (SIGHUP) and SIGQUIT end a run like Ctrl-C: the paid job
  // is journaled and its request id shown, never abandoned mid-submit (issue 12, item 3).
  for (const signal of SIGNAL_NAMES) process.on(signal, onSignal);
  // The Ui is made when a command's action is about to run, or an error is to be shown: it
  // decides on colour and a spinner, which may mean building process.stderr (output.ts) and
  // loading chalk, and `--help` needs neither (issue 6).
  let ui: Ui | undefined;
  const ensureUi = async (): Promise<Ui> => {
    ui ??= await createUi({
      env,
      out: stderr,
      quiet: argv.includes('-q') || argv.includes('--quiet'),
      verbose: argv.includes('--verbose'),
    });
    return ui;
  };
  const json = argv.includes('--json');
  // Commander drops what an action returns: the action hands its exit code over through done().
  let commandCode = EXIT.ok as number;
  const ctx: Context = {
    get ui(): Ui {
      if (!ui) throw new Error('the Ui was used before the preAction hook made it');
      return ui;
    },
    signal: controller.signal,
    env,
    stdout,
    stderr,
    done: (code) => {
      commandCode = code;
    },
  };
  const fail = async (e: unknown): Promise<number> => {
    await ui?.stop();
    return reportError(ctx, await ensureUi(), e, json);
  };
  try {
    let code: number;
    try {
      const program = buildProgram(ctx);
      program.hook('preAction', async () => {
        await ensureUi();
      });
      await program.parseAsync(argv);
      code = commandCode;
    } catch (e) {
      // Help, version and usage errors: commander has printed them; no Ui is needed.
      if (e instanceof CommanderError) code = commanderExit(ctx, e, json);
      else code = await fail(e);
    }
    // Results that could not be written (a full disk behind `> file`) are a failure too.
    await stdout.flush();
    const failure = stdout.failure();
    if (code === 0 && failure) {
      const e = new OutputError(`Cannot write to stdout (${failure.code ?? failure.message}).`, {
        suggestion:
          'Free some space where stdout goes, or send it elsewhere; images already saved are listed by `flux-krea jobs`.',
      });
      code = await fail(e);
    }
    return code === EXIT.interrupted ? interruptCode : code;
  } finally {
    for (const signal of SIGNAL_NAMES) process.off(signal, onSignal);
  }
}

function commanderExit(ctx: Context, e: CommanderError, json: boolean): number {
  // Help and version end through here too, with exit code 0; commander printed the message.
  if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
  if (e.code === 'commander.help') return 0;
  if (e.code === 'commander.unknownOption' && /'--?(api-?key|key|token)\b/i.test(e.message)) {
    ctx.stderr.write(
      'hint: flux-krea never takes the key as an argument (it would stay in shell history): set SEGMIND_API_KEY, or run `flux-krea auth login`.\n',
    );
  }
  if (json) printError(ctx, 'usage', e.message.replace(/^error: /, ''), EXIT.usage);
  return EXIT.usage;
}

/** Entry for bin/flux-krea.js (which answers a bare --version itself, before loading this). */
export async function run(): Promise<void> {
  process.exitCode = await main();
}
