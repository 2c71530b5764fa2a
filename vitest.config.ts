import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // Tests that run main() in-process (test/helpers/main.ts) see the version the build gives.
  define: { __FLUX_KREA_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start the built CLI as a child process: give them room on a loaded CI
    // machine. No test waits on a timer for its result; this is only a ceiling.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file in its own process: in-process CLI runs change the cwd and process.exitCode.
    pool: 'forks',
    // Most of a CLI test's time is spent waiting (for the emulator's job progression, a
    // Retry-After, a child process), not computing: vitest's default on a 2-core machine is
    // one file at a time, which left the CPU idle for half of the suite.
    maxWorkers: 4,
  },
});
