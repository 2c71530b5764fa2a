// The Segmind emulator: an API server and a separate image server on 127.0.0.1, playing
// docs/segmind-contract.md with switches for every "unknown" and scripted faults.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from './context.js';
import { FaultQueue } from './faults.js';
import { JobStore } from './jobs.js';
import { handleRequest, type Router } from './pipeline.js';
import { apiRouter, imageRouter } from './server.js';
import { DEFAULT_API_KEY, defaultConfig, type Emulator, type EmulatorConfig } from './types.js';

export * from './types.js';
export { validateParams, imageSize, ASPECT_RATIOS } from './params.js';
export { inspectImage, type ImageFacts } from './inspect.js';

/** Keys whose `undefined` means "off" rather than "keep the default". */
const CLEARABLE = new Set<keyof EmulatorConfig>(['rateLimit', 'unknownStatus', 'priceSteps']);

function applyPatch(config: EmulatorConfig, patch: Partial<EmulatorConfig>): void {
  for (const [key, value] of Object.entries(patch) as [keyof EmulatorConfig, unknown][]) {
    if (value === undefined && !CLEARABLE.has(key)) continue;
    (config as unknown as Record<string, unknown>)[key] = value;
  }
}

interface Listening {
  server: Server;
  sockets: Set<Socket>;
  url: string;
}

function listen(ctx: Context, name: 'api' | 'images', router: Router, port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void handleRequest(ctx, name, router, req, res));
  // An idle limit like common load balancers' (60 s); Node's own 5 s would close the socket
  // between two polls of a 24 s job, which a real gateway is not known to do.
  server.keepAliveTimeout = 65_000;
  // Tracked so close() can end keep-alive and stalled connections at once.
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('emulator: unexpected server address'));
        return;
      }
      resolve({ server, sockets, url: `http://127.0.0.1:${address.port}` });
    });
  });
}

function shutdown({ server, sockets }: Listening): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

export interface StartOptions {
  /** Port of the API server (default 0: any free port). The image server always takes a free one. */
  port?: number;
}

export async function startEmulator(
  config: Partial<EmulatorConfig> = {},
  options: StartOptions = {},
): Promise<Emulator> {
  const settings = defaultConfig();
  applyPatch(settings, config);
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  let apiBase = '';
  let imageHost = '';

  const ctx: Context = {
    config: settings,
    jobs: new JobStore(settings, () => imageHost),
    faults: new FaultQueue(),
    log: [],
    uploads: new Map(),
    rateWindow: [],
    apiBase: () => apiBase,
    imageHost: () => imageHost,
    delay: (ms) =>
      new Promise<void>((resolve) => {
        if (closing) return; // left pending on purpose: the socket is destroyed anyway
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
  };

  const images = await listen(ctx, 'images', imageRouter(ctx));
  const api = await listen(ctx, 'api', apiRouter(ctx), options.port ?? 0).catch(async (error: unknown) => {
    await shutdown(images);
    throw error;
  });
  apiBase = api.url;
  imageHost = images.url;

  return {
    url: apiBase,
    uploadUrl: `${apiBase}/upload-asset`,
    imageHost,
    apiKey: settings.apiKeys[0] ?? DEFAULT_API_KEY,
    log: ctx.log,
    submits: () => ctx.jobs.submits,
    maxConcurrentJobs: () => ctx.jobs.maxConcurrent(),
    configure: (patch) => applyPatch(settings, patch),
    fault: (spec) => ctx.faults.add(spec),
    job: (id) => {
      const job = ctx.jobs.lookup(id);
      return job ? ctx.jobs.info(job) : undefined;
    },
    expire: (id) => ctx.jobs.expire(id),
    close: async () => {
      if (closing) return;
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([shutdown(api), shutdown(images)]);
    },
  };
}
