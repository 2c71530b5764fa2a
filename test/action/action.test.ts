/**
 * The GitHub Action (action.yml): its metadata against the published schema of action
 * metadata (SchemaStore's, as compiled into @action-validator/core), the README's workflow
 * against the workflow schema, and the shell step it runs, executed here with its inputs as
 * environment and a stand-in `npx` that records what it was asked to run.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator } from '../emulator/index.js';
import { FAST, sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Step {
  id?: string;
  run?: string;
  env?: Record<string, string>;
  uses?: string;
}
interface ActionYaml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { steps: Step[] };
}

async function action(): Promise<{ text: string; doc: ActionYaml; step: Step }> {
  const text = await readFile(join(root, 'action.yml'), 'utf8');
  const doc = parse(text) as ActionYaml;
  const step = doc.runs.steps.find((s) => s.id === 'batch');
  if (!step?.run || !step.env) throw new Error('action.yml has no batch step');
  return { text, doc, step };
}

/** Runs the batch step as the runner would: each `${{ inputs.x }}` of its env is the input's value. */
async function runStep(inputs: Record<string, string>, report: string, exitCode = 0) {
  const { doc, step } = await action();
  const dir = await mkdtemp(join(tmpdir(), 'flux-krea-action-'));
  const argsFile = join(dir, 'args');
  const envFile = join(dir, 'env');
  const reportFile = join(dir, 'canned-report.json');
  await writeFile(reportFile, report);
  // The stand-in npx: records its arguments (one per line) and the key it saw, prints the report.
  await writeFile(
    join(dir, 'npx'),
    `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > '${argsFile}'\nprintf '%s' "\${SEGMIND_API_KEY-}" > '${envFile}'\ncat '${reportFile}'\nexit ${exitCode}\n`,
  );
  await chmod(join(dir, 'npx'), 0o755);
  const output = join(dir, 'github-output');
  await writeFile(output, '');
  const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: output, RUNNER_TEMP: dir };
  for (const [name, value] of Object.entries(step.env!)) {
    const m = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(value);
    if (!m) throw new Error(`unexpected env value ${value}`);
    env[name] = inputs[m[1]] ?? doc.inputs[m[1]]?.default ?? '';
  }
  const result = await run('bash', ['-c', step.run!], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const args = await readFile(argsFile, 'utf8').then(
    (t) => t.trimEnd().split('\n'),
    () => undefined,
  );
  const key = await readFile(envFile, 'utf8').catch(() => undefined);
  const outputs = Object.fromEntries(
    (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
  return { ...result, args, key, outputs };
}

const summary = JSON.stringify({
  schema_version: 1,
  status: 'ok',
  lock: 'assets.jsonl.lock.json',
  counts: { total: 3, done: 2, skipped: 1, failed: 0 },
  cost: 0.1,
});

describe('action.yml', () => {
  it('is valid action metadata (the published schema), composite, and declares every input it uses', async () => {
    const { text, doc, step } = await action();
    expect(validateAction(text).errors).toEqual([]);
    // The validator is live: the same file without the step's shell is refused.
    expect(validateAction(text.replace('shell: bash', '')).errors.length).toBeGreaterThan(0);
    expect(Object.keys(doc.inputs).sort()).toEqual(
      [
        'api-key',
        'concurrency',
        'frozen',
        'gallery',
        'manifest',
        'max-cost',
        'node-version',
        'out',
        'shard',
        'version',
      ].sort(),
    );
    for (const value of Object.values(step.env!))
      expect(Object.keys(doc.inputs)).toContain(/inputs\.([\w-]+)/.exec(value)![1]);
    // No input is pasted into the script itself (shell injection through a manifest name).
    expect(step.run).not.toMatch(/\$\{\{/);
    expect(Object.keys(doc.outputs).sort()).toEqual(['cost', 'done', 'failed', 'gallery', 'lock', 'report', 'skipped']);
  });

  it('runs npx flux-krea@<version> batch with each input as its flag, and sets the outputs', async () => {
    const r = await runStep(
      {
        manifest: 'assets.jsonl',
        out: 'art',
        shard: '2/4',
        concurrency: '3',
        'max-cost': '1.5',
        gallery: 'g.html',
        version: '0.2.0',
        'api-key': 'SG_0123456789abcdef',
      },
      summary,
    );
    expect(r.code).toBe(0);
    expect(r.args).toEqual([
      '--yes',
      'flux-krea@0.2.0',
      'batch',
      'assets.jsonl',
      '--json',
      '-o',
      'art',
      '--shard',
      '2/4',
      '--concurrency',
      '3',
      '--max-cost',
      '1.5',
      '--gallery',
      'g.html',
    ]);
    expect(r.key).toBe('SG_0123456789abcdef');
    // The key is masked in the log before anything can print it.
    expect(r.stdout).toContain('::add-mask::SG_0123456789abcdef');
    expect(r.outputs).toMatchObject({
      done: '2',
      skipped: '1',
      failed: '0',
      cost: '0.1',
      lock: 'assets.jsonl.lock.json',
      gallery: '',
    });
    expect(r.outputs.report).toMatch(/flux-krea-report-.*\.json$/);
  });

  it('frozen: passes --frozen, needs no key, and fails the step with the CLI’s exit code', async () => {
    const stale = JSON.stringify({
      schema_version: 1,
      status: 'stale',
      lock: 'a.lock.json',
      counts: { total: 2, done: 0, skipped: 1, failed: 0, stale: 1 },
    });
    const r = await runStep({ manifest: 'a.jsonl', frozen: 'true' }, stale, 8);
    expect(r.code).toBe(8);
    expect(r.args).toEqual(['--yes', 'flux-krea@latest', 'batch', 'a.jsonl', '--json', '--frozen']);
    expect(r.key).toBe('');
    expect(r.outputs).toMatchObject({ done: '0', skipped: '1', failed: '1' });
  });

  it('reads the last line of a JSON Lines report, and refuses a frozen value that is not a boolean', async () => {
    const lines = [JSON.stringify({ type: 'entry', key: 'a' }), summary].join('\n');
    expect((await runStep({ manifest: 'm.jsonl' }, lines)).outputs).toMatchObject({ done: '2', skipped: '1' });
    const bad = await runStep({ manifest: 'm.jsonl', frozen: 'yes' }, summary);
    expect(bad.code).toBe(2);
    expect(bad.args).toBeUndefined();
    expect(bad.stdout).toContain("input 'frozen' must be true or false, not 'yes'");
  });

  it('the README’s workflow is a valid workflow that uses this action', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const block = /<!-- action-workflow -->\s*```yaml\n([\s\S]*?)```/.exec(readme);
    expect(block, 'README.md has a workflow block after <!-- action-workflow -->').not.toBeNull();
    expect(validateWorkflow(block![1]).errors).toEqual([]);
    const wf = parse(block![1]) as {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: (Step & { with?: Record<string, string> })[] }>;
    };
    const uses = Object.values(wf.jobs)
      .flatMap((j) => j.steps)
      .filter((s) => s.uses?.startsWith('flux-krea/flux-krea'));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  });
});

describe('the README workflow', () => {
  it('checks pull requests with --frozen against the same shard locks the push job writes', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const wf = parse(/<!-- action-workflow -->\s*```yaml\n([\s\S]*?)```/.exec(readme)![1]!) as {
      jobs: Record<string, { steps: (Step & { with?: Record<string, string> })[] }>;
    };
    const action = (job: string) => wf.jobs[job]!.steps.find((st) => st.uses?.startsWith('flux-krea/flux-krea'))!.with!;
    const cached = (job: string) => wf.jobs[job]!.steps.find((st) => st.uses?.startsWith('actions/cache'))!.with!.path;
    expect(action('check')).toMatchObject({
      frozen: true,
      shard: action('generate').shard,
      manifest: action('generate').manifest,
      out: action('generate').out,
    });
    expect(action('check')['api-key']).toBeUndefined();
    // Without the shard, --frozen would read assets.jsonl.lock.json, which no job writes.
    expect(cached('check')).toBe(cached('generate'));
  });
});

describe('action.yml reads what flux-krea really prints', () => {
  it('the outputs of a real `batch --json` (JSON Lines) and of a real `--frozen` check', async () => {
    const emu = await startEmulator({ credits: 100 });
    const sb = await sandbox(emu);
    try {
      await writeFile(
        join(sb.dir, 'a.jsonl'),
        '{"name": "one", "prompt": "a lighthouse"}\n{"name": "two", "prompt": "a fox"}\n',
      );
      const real = await runMain(['batch', 'a.jsonl', '--json', '-n', '1', '-o', 'art', ...FAST], sb);
      expect(real.exitCode, real.stderr).toBe(0);
      expect(String(real.stdout).trim().split('\n')).toHaveLength(3);
      const r = await runStep({ manifest: 'a.jsonl' }, String(real.stdout));
      expect(r.outputs).toMatchObject({ done: '2', skipped: '0', failed: '0', lock: 'a.jsonl.lock.json', gallery: '' });
      expect(Number(r.outputs.cost)).toBeGreaterThan(0);

      await writeFile(
        join(sb.dir, 'a.jsonl'),
        '{"name": "one", "prompt": "a lighthouse"}\n{"name": "three", "prompt": "an owl"}\n',
      );
      const { SEGMIND_API_KEY: _, ...noKey } = sb.env;
      const frozen = await runMain(['batch', 'a.jsonl', '--json', '--frozen', '-n', '1', '-o', 'art'], sb, {
        env: noKey,
      });
      expect(frozen.exitCode).toBe(8);
      const f = await runStep({ manifest: 'a.jsonl', frozen: 'true' }, String(frozen.stdout), 8);
      expect(f.code).toBe(8);
      expect(f.outputs).toMatchObject({ done: '0', skipped: '1', failed: '1' });
    } finally {
      await sb.cleanup();
      await emu.close();
    }
  });
});
