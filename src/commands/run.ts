/**
 * Every command's body, behind the one `import()` that the command definitions make: `--help`
 * loads none of it. One module on purpose: esbuild makes a chunk for each set of entry points
 * that share code, and with an `import()` per body a dry run loaded 33 ES modules, each costing
 * Node 20 about 0.25 ms of CPU to resolve, read and link, more than parsing the rest of the
 * bodies. Below this module, imports are static; only what is heavy and rarely needed loads
 * lazily (undici at the first request, conf, chalk, ora, the previews, the JPEG decoder).
 */
export { runAgain } from './run-again.js';
export { runLogin, runAuthStatus, runLogout } from './run-auth.js';
export { runBatch } from './run-batch.js';
export { runCompletion, runComplete } from './run-completion.js';
export { runConfigSet, runConfigUnset, runConfigGet, runConfigList, runConfigPath } from './run-config.js';
export { runCredits } from './run-credits.js';
export { runGallery } from './run-gallery.js';
export { runGenerate } from './run-generate.js';
export { runInspect } from './run-inspect.js';
export { runResult, runStatus, runJobs } from './run-jobs.js';
export { runSchema } from './run-schema.js';
