/**
 * Tests of an external tool (a shell, pngcheck, djpeg, webpinfo, script) are skipped where the
 * tool is not installed, so that a developer's machine runs the rest. Under .ci/run
 * (FLUX_KREA_REQUIRE_TOOLS=1) they always run: a tool missing there fails its tests instead
 * of hiding them.
 */
import { execFileSync } from 'node:child_process';

/** Whether a command is on PATH. */
export function installed(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function toolTestsRun(installed: boolean): boolean {
  return installed || process.env.FLUX_KREA_REQUIRE_TOOLS === '1';
}
