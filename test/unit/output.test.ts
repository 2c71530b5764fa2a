/** src/cli/output.ts: direct writes to a descriptor that is no terminal, and their fallbacks. */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fdOutput, streamOutput, surelyNoTerminal } from '../../src/cli/output.js';

/** A stream that records what it is given, as process.stdout would take it. */
function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('fdOutput, writing directly', () => {
  it('loops over partial writes until every byte is out, multi-byte text included', () => {
    const written: Buffer[] = [];
    const out = fdOutput(1, {
      direct: true,
      // At most 3 bytes a call, as a full pipe may take.
      writeSync: (_fd, buf, off) => {
        const n = Math.min(3, buf.length - off);
        written.push(Buffer.from(buf.subarray(off, off + n)));
        return n;
      },
      stream: () => {
        throw new Error('no stream should be built');
      },
    });
    out.write('héllo → wörld\n');
    out.write('second\n');
    expect(Buffer.concat(written).toString()).toBe('héllo → wörld\nsecond\n');
    expect(out.isTTY()).toBe(false);
    expect(out.columns()).toBeUndefined();
  });

  it('on EAGAIN hands the rest to the stream and keeps using it, so the order holds', () => {
    const direct: Buffer[] = [];
    const s = sink();
    let calls = 0;
    let built = 0;
    const out = fdOutput(1, {
      direct: true,
      writeSync: (_fd, buf, off) => {
        calls++;
        if (calls === 2) throw errno('EAGAIN');
        const n = Math.min(4, buf.length - off);
        direct.push(Buffer.from(buf.subarray(off, off + n)));
        return n;
      },
      stream: () => (built++, s.stream),
    });
    out.write('abcdefgh');
    out.write('ij');
    expect(Buffer.concat(direct).toString()).toBe('abcd');
    expect(s.text()).toBe('efghij');
    expect(calls).toBe(2);
    expect(built).toBe(1);
  });

  it('on EPIPE marks the output closed and drops what follows, without throwing', () => {
    let calls = 0;
    const out = fdOutput(1, {
      direct: true,
      writeSync: () => {
        calls++;
        throw errno('EPIPE');
      },
    });
    out.write('a\n');
    out.write('b\n');
    expect(calls).toBe(1);
    expect(out.closed()).toBe(true);
  });

  it('never throws: stdout keeps a failure other than EPIPE, stderr (ignoreErrors) keeps none', () => {
    const failing = () => {
      throw errno('ENOSPC');
    };
    const stdout = fdOutput(1, { direct: true, writeSync: failing });
    expect(() => stdout.write('x')).not.toThrow();
    expect(stdout.closed()).toBe(true);
    expect(stdout.failure()?.code).toBe('ENOSPC');
    const stderr = fdOutput(2, { direct: true, writeSync: failing, ignoreErrors: true });
    expect(() => stderr.write('x')).not.toThrow();
    expect(stderr.closed()).toBe(true);
    expect(stderr.failure()).toBeUndefined();
    const piped = fdOutput(1, {
      direct: true,
      writeSync: () => {
        throw errno('EPIPE');
      },
    });
    piped.write('x');
    expect(piped.failure()).toBeUndefined();
  });

  it('a stream error comes later: flush() waits for it', async () => {
    const failing = new Writable({ write: (_c, _e, done) => done(errno('EIO')) }) as unknown as NodeJS.WriteStream;
    const out = fdOutput(1, { direct: false, stream: () => failing });
    out.write('x');
    await out.flush();
    expect(out.failure()?.code).toBe('EIO');
  });

  it('an EPIPE on the stream, once built, closes it too', () => {
    const s = sink();
    const out = fdOutput(1, { direct: false, stream: () => s.stream });
    out.write('a');
    s.stream.emit('error', errno('EPIPE'));
    expect(out.closed()).toBe(true);
    out.write('b');
    expect(s.text()).toBe('a');
  });

  it('stream() builds the stream once, after what was written directly', () => {
    const s = sink();
    const order: string[] = [];
    const out = fdOutput(1, {
      direct: true,
      writeSync: (_fd, buf, off) => {
        order.push(`direct:${Buffer.from(buf.subarray(off)).toString()}`);
        return buf.length - off;
      },
      stream: () => s.stream,
    });
    out.write('text');
    expect(out.stream()).toBe(s.stream);
    out.write('more');
    expect(order).toEqual(['direct:text']);
    expect(s.text()).toBe('more');
  });
});

describe('fdOutput, over the stream', () => {
  it('builds nothing until used, then passes everything to the stream', () => {
    const s = sink();
    let built = 0;
    const out = fdOutput(1, { direct: false, stream: () => (built++, s.stream) });
    expect(built).toBe(0);
    out.write('a');
    out.write('b');
    expect(built).toBe(1);
    expect(s.text()).toBe('ab');
  });

  it("streamOutput reports a terminal's width and colours, and none for a plain stream", () => {
    const s = sink();
    expect(streamOutput(s.stream).columns()).toBeUndefined();
    const tty = Object.assign(sink().stream, { isTTY: true, columns: 120, hasColors: () => true });
    const out = streamOutput(tty);
    expect([out.isTTY(), out.columns(), out.hasColors()]).toEqual([true, 120, true]);
  });
});

describe('surelyNoTerminal', () => {
  it('is true for a regular file and /dev/null', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-krea-out-'));
    const file = openSync(join(dir, 'f'), 'w');
    const nul = openSync('/dev/null', 'w');
    try {
      expect(surelyNoTerminal(file)).toBe(true);
      expect(surelyNoTerminal(nul)).toBe(true);
    } finally {
      closeSync(file);
      closeSync(nul);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is false for a closed descriptor (the stream decides then)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-krea-out-'));
    const fd = openSync(join(dir, 'f'), 'w');
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    expect(surelyNoTerminal(fd)).toBe(false);
  });
});
