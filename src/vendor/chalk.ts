/** chalk, loaded by the CLI only when colour is on (see ora.ts in this folder). */
export { Chalk } from 'chalk';
export type { ChalkInstance } from 'chalk';
