/** What the core tells its caller while it works; the CLI turns these into spinner text or lines. */
import type { RetryInfo } from '../api/http.js';
import type { JobStatus } from '../api/client.js';

export interface ProgressEvents {
  uploading?(path: string): void;
  submitted?(requestId: string): void;
  status?(status: JobStatus, requestId: string): void;
  downloading?(count: number): void;
  retry?(info: RetryInfo): void;
  warning?(message: string): void;
  /** The one blocking sync call has started (it takes about as long as the job). */
  syncCall?(): void;
  /** Ctrl-C came during the sync call: it has no request id, so the run waits for its answer. */
  syncInterrupted?(): void;
}
