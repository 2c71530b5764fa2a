/**
 * The submit gate every entry passes before it may POST a job: at most `rpm` submits in any
 * sliding minute, and a shared pause after a 429 so that the whole batch slows down (one
 * entry hitting the limit means every other would too). Waiters are served in arrival order.
 *
 * `waitTime` is the pure decision; the clock and the sleep are injected so that the tests run
 * on a fake clock without real waiting.
 */
import { abortableSleep, type Sleep } from '../../util/sleep.js';

export const WINDOW_MS = 60_000;

/** How long to wait before the next submit may go, given the recent submit times. */
export function waitTime(recent: readonly number[], now: number, rpm: number, pausedUntil: number): number {
  const pause = Math.max(0, pausedUntil - now);
  if (rpm <= 0) return pause;
  const inWindow = recent.filter((t) => t > now - WINDOW_MS);
  if (inWindow.length < rpm) return pause;
  // The oldest of the last `rpm` submits must leave the window first.
  const oldest = inWindow[inWindow.length - rpm]!;
  return Math.max(pause, oldest + WINDOW_MS - now);
}

export interface GateOptions {
  /** Submits per minute; 0 or less means no cap. */
  rpm: number;
  now?: () => number;
  sleep?: Sleep;
  /** Told each time a submit is held back, and for how long (the CLI says why it waits). */
  onWait?: (ms: number, reason: 'rpm' | 'rate-limited') => void;
}

export class SubmitGate {
  private readonly rpm: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly onWait?: GateOptions['onWait'];
  private recent: number[] = [];
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(o: GateOptions) {
    this.rpm = o.rpm;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? abortableSleep;
    this.onWait = o.onWait;
  }

  /** Resolves when this caller may submit (and counts the submit); rejects with an AbortError on abort. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    // A caller that gives up (abort) must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      this.recent = this.recent.filter((t) => t > now - WINDOW_MS);
      const wait = waitTime(this.recent, now, this.rpm, this.pausedUntil);
      if (wait <= 0) {
        this.recent.push(now);
        return;
      }
      this.onWait?.(wait, now < this.pausedUntil ? 'rate-limited' : 'rpm');
      // The pause may be extended while we sleep; the loop checks again.
      await this.sleep(wait, signal);
    }
  }

  /** Holds every submit back for `ms` (a 429 said so); a shorter pause never cuts a longer one. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** Milliseconds left of the current pause. */
  pausedFor(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }
}
