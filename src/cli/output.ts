/**
 * stdout and stderr as the CLI writes them. Node builds process.stdout and process.stderr the
 * first time they are read (the stream stack, and for a pipe the net module): about 1.5 ms
 * each, of a 20 ms start, more than `--help` spends drawing the help (issue 6). When a
 * descriptor is surely not a terminal (a pipe, a file, /dev/null) text goes out with
 * fs.writeSync instead, as Node itself writes to a file, and the stream is built only if it
 * is needed: for bytes (`-o -`), for a spinner, or when a non-blocking descriptor is full.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { scrubSecrets } from '../util/secrets.js';

export interface Output {
  /** Writes text, in order with everything written before. */
  write(text: string): void;
  /** The stream, for piping bytes or a spinner; text written before it is already out. */
  stream(): NodeJS.WritableStream;
  isTTY(): boolean;
  /** The terminal's width; undefined when this is not a terminal. */
  columns(): number | undefined;
  hasColors(): boolean;
  /** The reader is gone (EPIPE), a write failed, or the stream was destroyed: writing is pointless. */
  closed(): boolean;
  /** The write error that closed it, other than a reader that has gone (ENOSPC, EIO...). */
  failure(): NodeJS.ErrnoException | undefined;
  /** Resolves when what was written has gone out or failed (a stream reports errors later). */
  flush(): Promise<void>;
}

type TtyStream = NodeJS.WritableStream & {
  isTTY?: boolean;
  columns?: number;
  hasColors?: () => boolean;
  destroyed?: boolean;
};

/** An Output over a stream (a terminal, or a test's capture). */
export function streamOutput(stream: TtyStream): Output {
  return {
    write: (text) => {
      stream.write(text);
    },
    stream: () => stream,
    isTTY: () => Boolean(stream.isTTY),
    columns: () => (stream.isTTY ? stream.columns : undefined),
    hasColors: () => Boolean(stream.isTTY && stream.hasColors?.()),
    closed: () => Boolean(stream.destroyed),
    failure: () => undefined,
    flush: () =>
      new Promise<void>((done) => {
        if (stream.destroyed) return done();
        // An empty write's callback runs after every earlier write has finished or failed.
        stream.write('', () => done());
      }),
  };
}

export interface FdOutputOptions {
  /**
   * A write never throws: any error closes the output and later writes are dropped, so that
   * a paid job is not abandoned because its progress or paths cannot be shown. On stdout an
   * error other than EPIPE is kept as failure() (main.ts turns it into exit 1, as results
   * that could not be written); with ignoreErrors (stderr) it is not.
   */
  ignoreErrors?: boolean;
  /** Stand-ins for tests: the descriptor's stream, fs.writeSync, and whether to write directly. */
  stream?: () => NodeJS.WriteStream;
  writeSync?: (fd: number, buffer: Uint8Array, offset: number) => number;
  direct?: boolean;
}

/**
 * Descriptor 1 or 2 of this process, written directly when it surely is no terminal. A reader
 * that has gone (EPIPE, e.g. `flux-krea --help | head -1`) is the reader's choice, not an
 * error: the output is marked closed, later text is dropped, and the run ends with its own
 * exit code.
 */
export function fdOutput(fd: 1 | 2, o: FdOutputOptions = {}): Output {
  const write = o.writeSync ?? writeSync;
  let gone = false;
  let failure: NodeJS.ErrnoException | undefined;
  const close = (e: unknown) => {
    gone = true;
    const err = e as NodeJS.ErrnoException;
    if (!o.ignoreErrors && err?.code !== 'EPIPE') failure ??= err;
  };
  let built: Output | undefined;
  const viaStream = (): Output => {
    if (!built) {
      const stream = o.stream?.() ?? (fd === 1 ? process.stdout : process.stderr);
      stream.on('error', close);
      built = streamOutput(stream);
    }
    return built;
  };
  let direct = o.direct ?? surelyNoTerminal(fd);
  return {
    write: (text) => {
      if (gone) return;
      if (!direct) return viaStream().write(text);
      const bytes = Buffer.from(text);
      let off = 0;
      while (off < bytes.length) {
        try {
          off += write(fd, bytes, off);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') {
            // A non-blocking pipe that is full: the stream queues the rest, and from now on
            // everything goes through it, so the order holds.
            direct = false;
            viaStream().stream().write(bytes.subarray(off));
            return;
          }
          close(e);
          return;
        }
      }
    },
    stream: () => {
      direct = false;
      return viaStream().stream();
    },
    isTTY: () => !direct && viaStream().isTTY(),
    columns: () => (direct ? undefined : viaStream().columns()),
    hasColors: () => !direct && viaStream().hasColors(),
    closed: () => gone || (built !== undefined && built.closed()),
    failure: () => failure,
    flush: async () => {
      if (built && !gone) await built.flush();
      // A failed write is reported on the stream after its callback.
      if (built) await new Promise((done) => setImmediate(done));
    },
  };
}

/**
 * The process's stderr, where people read. A closed stderr (`|& head`, a log collector gone, a
 * full disk) must not abandon a paid job mid-wait: progress is lost, the images are still
 * saved. So its write errors only close it.
 */
export function stderrOutput(): Output {
  return fdOutput(2, { ignoreErrors: true });
}

/**
 * A pipe, a socket, a regular file, or the null device. Any other character device may be a
 * terminal, and finding out would load node:tty (and net), so those get the stream; so do
 * Windows consoles and pipes.
 */
export function surelyNoTerminal(fd: number): boolean {
  if (process.platform === 'win32') return false;
  try {
    const st = fstatSync(fd);
    if (st.isFIFO() || st.isSocket() || st.isFile()) return true;
    return st.isCharacterDevice() && st.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/**
 * `out` with every text write scrubbed of API keys (util/secrets.ts): the last gate for
 * messages that leave the process, whatever their origin (a server's echo, commander's
 * refusal of `--api-key=...`, a library error). Bytes written through stream() (an image on
 * `-o -`) pass untouched.
 */
export function secretSafeOutput(out: Output): Output {
  return { ...out, write: (text) => out.write(scrubSecrets(text)) };
}
