/**
 * The API's error classes live in the one error module, `src/errors.ts`. This path re-exports
 * it so that imports written before the merge (issue 10) keep resolving.
 */
export * from '../errors.js';
