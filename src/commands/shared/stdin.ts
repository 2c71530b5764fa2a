/** The prompt: the argument, or stdin when it is `-` or when no argument is given and stdin is piped. */
import { InterruptedError, UsageError } from '../../errors.js';

/** All of a stream as text; Ctrl-C (the signal) ends the wait instead of being swallowed. */
export async function readAll(stream: NodeJS.ReadableStream, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  const read = (async () => {
    for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
    return Buffer.concat(chunks).toString('utf8');
  })();
  if (!signal) return read;
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new InterruptedError());
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([read, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Stop holding the event loop open on a stdin that never ends.
    if (signal.aborted) (stream as NodeJS.ReadStream).destroy?.();
  }
}

export async function readPrompt(
  arg: string | undefined,
  signal?: AbortSignal,
  input?: NodeJS.ReadStream,
): Promise<string> {
  if (arg !== undefined && arg !== '-') return arg;
  // Only now: process.stdin builds a stream the first time it is read (~1 ms at start-up).
  const stdin = input ?? process.stdin;
  if (arg === undefined && stdin.isTTY) {
    throw new UsageError('No prompt given.', {
      suggestion: 'Run flux-krea "your prompt", or pipe one: echo "your prompt" | flux-krea. See flux-krea --help.',
    });
  }
  const text = (await readAll(stdin, signal)).trim();
  if (!text) throw new UsageError('No prompt given: stdin was empty.', { suggestion: 'Run flux-krea "your prompt".' });
  return text;
}
