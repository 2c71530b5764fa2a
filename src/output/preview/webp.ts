/**
 * WebP through libwebp compiled to WebAssembly, as shipped by @cwasm/webp (MIT; 120 KB, no
 * native build, no install script). Only its .wasm file is used: the package's own loader
 * reads the file next to its script, which a bundle moves, so the file is found through
 * module resolution here and instantiated once, on the first WebP to decode.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { checkSize, DecodeError, type Pixels } from './pixels.js';

// The WebAssembly global, typed for what is used here (the project's TypeScript libs have no DOM types).
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, () => never>>) => { exports: unknown };
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmApi };

interface WebpExports {
  memory: { buffer: ArrayBuffer };
  malloc(size: number): number;
  free(ptr: number): void;
  WebPDecodeRGBA(data: number, size: number, width: number, height: number): number;
}

let instance: WebpExports | undefined;

function wasm(): WebpExports {
  if (instance) return instance;
  // In the CommonJS bundle `require` is the bundle's own; under ESM (tests, the library) one is made.
  const req = typeof require === 'function' ? require : createRequire(import.meta.url);
  const bytes = readFileSync(req.resolve('@cwasm/webp/webp.wasm'));
  // libwebp was built with WASI stubs it never calls while decoding.
  const unused = () => {
    throw new Error('not available');
  };
  const mod = new WebAssembly.Module(bytes);
  const made = new WebAssembly.Instance(mod, {
    wasi_snapshot_preview1: { fd_close: unused, fd_seek: unused, fd_write: unused },
  });
  instance = made.exports as unknown as WebpExports;
  return instance;
}

export function decodeWebp(b: Uint8Array): Pixels {
  const w = wasm();
  const input = w.malloc(b.byteLength);
  const dims = w.malloc(8);
  try {
    new Uint8Array(w.memory.buffer, input, b.byteLength).set(b);
    const out = w.WebPDecodeRGBA(input, b.byteLength, dims, dims + 4);
    if (out === 0) throw new DecodeError('the WebP file cannot be decoded');
    try {
      const [width, height] = new Uint32Array(w.memory.buffer, dims, 2);
      checkSize(width!, height!);
      // A copy: the wasm memory is reused (and may grow, detaching views) on the next call.
      const data = new Uint8Array(new Uint8Array(w.memory.buffer, out, width! * height! * 4));
      return { width: width!, height: height!, data };
    } finally {
      w.free(out);
    }
  } finally {
    w.free(input);
    w.free(dims);
  }
}
