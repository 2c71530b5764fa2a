import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start the built CLI as a child process: give them room on a loaded CI
    // machine. No test waits on a timer for its result; this is only a ceiling.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
