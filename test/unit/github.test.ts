/** GitHub's workflow-command escaping and the job summary's Markdown: pure functions, table-driven. */
import { describe, expect, it } from 'vitest';
import {
  errorAnnotation,
  escapeData,
  escapeProperty,
  summaryMarkdown,
  problemsMarkdown,
} from '../../src/commands/shared/github.js';
import type { ReportEntry } from '../../src/commands/shared/batch-report.js';
import { batchSpend } from '../../src/core/batch/spend.js';
import type { EntryResult } from '../../src/core/batch/run-entry.js';

describe('workflow command escaping (as @actions/core does it)', () => {
  it.each([
    ['plain', 'plain', 'plain'],
    ['100%', '100%25', '100%25'],
    ['a\nb', 'a%0Ab', 'a%0Ab'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['k: v, w', 'k: v, w', 'k%3A v%2C w'],
    ['%0A', '%250A', '%250A'],
  ])('%j → data %j, property %j', (input, data, property) => {
    expect(escapeData(input)).toBe(data);
    expect(escapeProperty(input)).toBe(property);
  });

  it('an annotation names the file and line; a message cannot end the command or start another', () => {
    expect(
      errorAnnotation({ file: 'dir,x/a:b.jsonl', line: 4, title: 'flux-krea: x', message: 'bad\n::error::injected' }),
    ).toBe('::error file=dir%2Cx/a%3Ab.jsonl,line=4,title=flux-krea%3A x::bad%0A::error::injected\n');
  });
});

const entry = (e: Partial<ReportEntry>): ReportEntry => ({
  key: 'k',
  line: 1,
  status: 'done',
  seed: 1,
  files: [],
  ...e,
});
const input = (entries: ReportEntry[], more: object = {}) => ({
  manifest: 'assets.jsonl',
  lock: 'assets.jsonl.lock.json',
  entries,
  frozen: false,
  submits: entries.length,
  elapsedMs: 1500,
  displayPath: (p: string) => `art/${p}`,
  // What run-batch passes: the spend of a run's results (no stale entries in a run).
  spend: batchSpend(entries as EntryResult[]),
  ...more,
});

describe('the job summary', () => {
  it('counts, spend and a row per entry, with cells that cannot break the table or inject HTML', () => {
    const md = summaryMarkdown(
      input(
        [
          entry({ key: 'hero', files: [{ path: 'hero.jpg', bytes: 1, sha256: '' }], cost: 0.01 }),
          entry({
            key: 'a|b <script>',
            line: 2,
            status: 'failed',
            error: { kind: 'job-failed', message: 'line one\nline two' },
            requestId: 'abcd',
          }),
        ],
        { shard: '2/4' },
      ),
    );
    expect(md).toContain('### flux-krea batch: `assets.jsonl` (shard 2/4)');
    expect(md).toContain(
      '**1 done · 0 skipped · 1 failed** of 2 · 2 submitted · spent 0.01 credits · 1.5s · lock `assets.jsonl.lock.json`',
    );
    expect(md).toContain('| ✅ done | hero | 1 | `art/hero.jpg` | 0.01 |  |');
    expect(md).toContain('| ❌ failed | a\\|b &lt;script&gt; | 2 | — | — | line one line two (request abcd) |');
  });

  it('spend is the sum of what this run submitted; a resumed job was paid before', () => {
    const md = summaryMarkdown(input([entry({ cost: 0.1 }), entry({ cost: 0.2 }), entry({ cost: 9, resumed: true })]));
    expect(md).toContain('spent 0.30 credits');
    // A job that did not say what it cost is named, not counted as free.
    expect(summaryMarkdown(input([entry({ cost: 0.1 }), entry({})]))).toContain(
      'spent 0.10 credits (+ 1 job of unreported cost)',
    );
    expect(summaryMarkdown(input([entry({})]))).toContain('spend not reported');
    expect(summaryMarkdown(input([entry({ cost: 0.1, remainingCredits: 4.9 })]))).toContain(
      'spent 0.10 credits · 4.90 left',
    );
  });

  it('a large batch lists only the entries that need attention', () => {
    const entries = Array.from({ length: 150 }, (_, i) =>
      entry({
        key: `e${i}`,
        line: i + 1,
        status: i === 7 ? 'failed' : 'skipped',
        error: i === 7 ? { kind: 'network', message: 'reset' } : undefined,
      }),
    );
    const md = summaryMarkdown(input(entries));
    expect(md.match(/^\| (?!status|---)/gm)).toHaveLength(1);
    expect(md).toContain('| ❌ failed | e7 | 8 |');
    expect(md).toContain('149 more entries are not listed here');
  });

  it('problems of a refused manifest, one row each', () => {
    expect(problemsMarkdown('m.jsonl', [{ line: 3, text: 'aspect: "7:7" is not allowed' }])).toBe(
      '### flux-krea batch: `m.jsonl`\n\n**1 problem in the manifest**: nothing was sent.\n\n| line | problem |\n| --- | --- |\n| 3 | aspect: "7:7" is not allowed |\n\n',
    );
  });
});
