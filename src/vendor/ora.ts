/**
 * The ESM-only packages that the CLI loads lazily, re-exported by name, one file each. The CLI
 * bundle (CommonJS, see bin/flux-krea.js) keeps `../vendor/*` imports external, and the build
 * turns each of these files into its own CommonJS bundle, dist/vendor/<name>.js: a path that
 * needs a spinner, colour or conf require()s it, and --help or a dry run never reads it. Named
 * exports, because a default export does not survive the CommonJS round trip unchanged.
 */
export { default as ora } from 'ora';
export type { Ora } from 'ora';
