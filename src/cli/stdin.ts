/** The prompt: the argument, or stdin when it is `-` or when no argument is given and stdin is piped. */
import { UsageError } from '../errors.js';

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readPrompt(arg: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (arg !== undefined && arg !== '-') return arg;
  if (arg === undefined && stdin.isTTY) {
    throw new UsageError('No prompt given.', { suggestion: 'Run flux-krea "your prompt", or pipe one: echo "your prompt" | flux-krea. See flux-krea --help.' });
  }
  const text = (await readAll(stdin)).trim();
  if (!text) throw new UsageError('No prompt given: stdin was empty.', { suggestion: 'Run flux-krea "your prompt".' });
  return text;
}
