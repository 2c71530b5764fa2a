/** conf, loaded by the CLI only to write the config (see ora.ts in this folder). */
export { default as Conf } from 'conf';
