import type { Resolved } from '../store/settings.js';
import type { RunOptions } from '../params/run-options.js';

/**
 * The poll cadence the user chose (flag, environment or config file), in ms; undefined when
 * only the built-in default stands, so that polling adapts to recent run times (issue 11).
 */
export function explicitIntervalMs(resolved: Resolved, run: RunOptions): number | undefined {
  const origin = resolved.origins.interval;
  return origin && origin.source !== 'default' ? run.interval * 1000 : undefined;
}
