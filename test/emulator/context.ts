// The state shared by the route handlers of one emulator instance.
import type { FaultQueue } from './faults.js';
import type { JobStore } from './jobs.js';
import type { EmulatorConfig, LoggedRequest } from './types.js';

export interface UploadedFile {
  bytes: Buffer;
  contentType: string;
}

export interface Context {
  config: EmulatorConfig;
  jobs: JobStore;
  faults: FaultQueue;
  log: LoggedRequest[];
  uploads: Map<string, UploadedFile>;
  /** Times of the submits let through in the last minute, oldest first. */
  rateWindow: number[];
  apiBase(): string;
  imageHost(): string;
  /** Resolves after `ms`; never resolves once the emulator is closing. */
  delay(ms: number): Promise<void>;
}
