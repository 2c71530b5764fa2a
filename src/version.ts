/** Replaced at build time from package.json (esbuild --define); the fallback serves tests run from source. */
declare const __FLUX_KREA_VERSION__: string | undefined;
/**
 * The package's version.
 *
 * @example
 * console.log(`flux-krea ${VERSION}`);
 */
export const VERSION: string = typeof __FLUX_KREA_VERSION__ === 'string' ? __FLUX_KREA_VERSION__ : '0.0.0-dev';
