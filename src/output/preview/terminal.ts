/**
 * Which way of drawing an image the terminal on stderr understands. Environment variables
 * answer for the terminals that set them; a query (kitty's graphics query, the cell size and
 * DA1, whose attribute 4 is sixel) answers for the rest, with a timeout so that a terminal
 * that never replies costs a second at most, not a hang.
 */
export type Protocol = 'kitty' | 'iterm' | 'sixel' | 'truecolor' | 'ansi256';
export const PROTOCOLS: readonly Protocol[] = ['kitty', 'iterm', 'sixel', 'truecolor', 'ansi256'];
/** Real pictures, as opposed to coloured characters. */
export const GRAPHICS: readonly Protocol[] = ['kitty', 'iterm', 'sixel'];

/** What a query of the terminal found; every field is unknown when it did not answer. */
export interface TerminalReply {
  kitty?: boolean;
  sixel?: boolean;
  /** A cell's size in pixels. */
  cell?: { width: number; height: number };
}

export function inMultiplexer(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.TMUX) || /^(tmux|screen)/.test(env.TERM ?? '') || env.TERM_PROGRAM === 'tmux';
}

/** The protocol from the environment alone; undefined when only a query could tell. */
export function graphicsFromEnv(env: NodeJS.ProcessEnv): Protocol | undefined {
  // Inside tmux or screen the outer terminal is unknown and images do not survive redraws:
  // coloured blocks are drawn instead (or what FLUX_KREA_PREVIEW_PROTOCOL asks, passed through).
  if (inMultiplexer(env)) return undefined;
  const term = env.TERM ?? '';
  const program = env.TERM_PROGRAM ?? '';
  if (
    term === 'xterm-kitty' ||
    env.KITTY_WINDOW_ID ||
    term === 'xterm-ghostty' ||
    program === 'ghostty' ||
    env.KONSOLE_VERSION
  )
    return 'kitty';
  // WezTerm speaks kitty's protocol too, but its iTerm2 support is the complete one.
  if (program === 'iTerm.app' || program === 'WezTerm' || env.LC_TERMINAL === 'iTerm2') return 'iterm';
  return undefined;
}

/** Coloured characters: 24-bit where the terminal says so, else 256 colours on xterm-likes, else none. */
export function blockDepth(env: NodeJS.ProcessEnv): 'truecolor' | 'ansi256' | undefined {
  const term = env.TERM ?? '';
  if (!term || term === 'dumb') return undefined;
  if (/^(truecolor|24bit)$/i.test(env.COLORTERM ?? '') || /-direct$/.test(term)) return 'truecolor';
  // The outer terminal's variables leak into tmux and screen, whose own colour depth is what counts there.
  const outer =
    !inMultiplexer(env) &&
    (['iTerm.app', 'WezTerm', 'vscode', 'ghostty'].includes(env.TERM_PROGRAM ?? '') ||
      env.KITTY_WINDOW_ID ||
      term === 'xterm-kitty');
  if (outer) return 'truecolor';
  if (/256/.test(term) || /^(xterm|tmux|screen|rxvt|alacritty|foot|st-|vte)/.test(term)) return 'ansi256';
  return undefined;
}

/**
 * The best protocol: an explicit choice (FLUX_KREA_PREVIEW_PROTOCOL), then the environment,
 * then what a query found, then coloured blocks. `colour` false (NO_COLOR) rules out blocks.
 */
export function chooseProtocol(env: NodeJS.ProcessEnv, reply: TerminalReply, colour: boolean): Protocol | undefined {
  const forced = env.FLUX_KREA_PREVIEW_PROTOCOL;
  if (forced && (PROTOCOLS as readonly string[]).includes(forced)) return forced as Protocol;
  const fromEnv = graphicsFromEnv(env);
  if (fromEnv) return fromEnv;
  if (!inMultiplexer(env)) {
    if (reply.kitty) return 'kitty';
    if (reply.sixel) return 'sixel';
  }
  return colour ? blockDepth(env) : undefined;
}

/** True when a query could change the answer: no explicit choice and nothing known from the environment. */
export function worthQuerying(env: NodeJS.ProcessEnv): boolean {
  return !env.FLUX_KREA_PREVIEW_PROTOCOL && !graphicsFromEnv(env) && !inMultiplexer(env);
}

/** kitty's graphics query (a 1×1 image, not stored), then the cell size, then DA1, which every terminal answers last. */
export const QUERY = '\u001b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u001b\\\u001b[16t\u001b[c';

/** Reads what the terminal sent back; `done` is true once the DA1 answer (which comes last) is in. */
// The terminal's replies are escape sequences: these patterns must match control characters.
/* eslint-disable no-control-regex */
export function parseReply(text: string): TerminalReply & { done: boolean } {
  const reply: TerminalReply & { done: boolean } = { done: false };
  if (/\u001b_Gi=31;OK\u001b\\/.test(text)) reply.kitty = true;
  const cell = /\u001b\[6;(\d+);(\d+)t/.exec(text);
  if (cell && Number(cell[1]) > 0 && Number(cell[2]) > 0)
    reply.cell = { height: Number(cell[1]), width: Number(cell[2]) };
  const da1 = /\u001b\[\?([\d;]*)c/.exec(text);
  if (da1) {
    reply.done = true;
    reply.sixel = da1[1]!.split(';').includes('4');
    reply.kitty ??= false;
  }
  return reply;
}
/* eslint-enable no-control-regex */

export interface QueryStreams {
  input: NodeJS.ReadStream & { setRawMode?: (raw: boolean) => unknown; isRaw?: boolean };
  write: (s: string) => void;
}

/**
 * Asks the terminal and waits at most `timeoutMs` for the answer. The input is put in raw
 * mode only for the query and handed back paused, so the process can still exit. Every real
 * terminal answers DA1 at once; the wait is long enough for one over a slow ssh link, whose
 * late answer would otherwise be typed into the shell after we exit.
 */
export function queryTerminal(s: QueryStreams, timeoutMs = 1000): Promise<TerminalReply> {
  const { input } = s;
  return new Promise((resolve) => {
    let text = '';
    const wasRaw = Boolean(input.isRaw);
    const finish = () => {
      clearTimeout(timer);
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      const { done: _done, ...reply } = parseReply(text);
      resolve(reply);
    };
    const onData = (b: Buffer | string) => {
      text += b.toString();
      if (parseReply(text).done) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    input.setRawMode?.(true);
    input.on('data', onData);
    input.resume();
    s.write(QUERY);
  });
}
