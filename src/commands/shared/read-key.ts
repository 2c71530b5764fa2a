/** Reads an API key: a hidden prompt on a terminal, else all of stdin. Never echoes it. */
import { readAll } from './stdin.js';
import { InterruptedError } from '../../errors.js';
import type { Context } from './context.js';

export async function readKey(ctx: Context, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!stdin.isTTY) return readAll(stdin, ctx.signal);
  const out = ctx.stderr;
  // Echo off before the prompt shows: a key pasted the moment it appears is never echoed.
  stdin.setRawMode(true);
  out.write('Paste your Segmind API key (input hidden; get one at https://cloud.segmind.com/console/api-keys): ');
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let key = '';
      const onData = (s: string) => {
        for (const ch of s) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            out.write('\n');
            resolve(key);
            return;
          }
          if (ch === '\u0003') {
            out.write('\n');
            reject(new InterruptedError());
            return;
          }
          if (ch === '\u007f' || ch === '\b') key = key.slice(0, -1);
          else key += ch;
        }
      };
      stdin.on('data', onData);
      ctx.signal.addEventListener('abort', () => reject(new InterruptedError()), { once: true });
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stdin.removeAllListeners('data');
  }
}
