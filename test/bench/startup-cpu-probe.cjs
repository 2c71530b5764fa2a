// Loaded with `node -r` by startup.mjs: at exit, writes the CPU time this process used (user +
// system, microseconds, every thread) to descriptor 3. On a machine shared with other work,
// wall time mostly measures the queue for a core; CPU time measures the start itself.
'use strict';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeSync(3, `${user + system}\n`);
});
