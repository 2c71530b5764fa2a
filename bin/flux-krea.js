#!/usr/bin/env node
// A tiny shim, in CommonJS (see bin/package.json): a bare `--version`, which scripts use to
// probe the tool, is answered here, before Node starts its ES module loader; everything else
// is in the bundled dist/cli.js, which loads each command's code only when it runs.
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What commander prints for .version(VERSION, '-V, --version'); VERSION is built from the same field.
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  import('../dist/cli.js').then(({ run }) => run());
}
