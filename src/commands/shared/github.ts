/**
 * A batch on GitHub Actions: a Markdown summary appended to the job's page (when
 * GITHUB_STEP_SUMMARY names a file) and `::error` annotations on the manifest's lines (when
 * GITHUB_ACTIONS=true). Annotations go to stderr, which the runner reads for workflow commands
 * as it reads stdout, so stdout keeps only results (the action saves it as the JSON report).
 */
import { appendFile } from 'node:fs/promises';
import type { Context } from './context.js';
import { countResults, type ReportEntry } from './batch-report.js';
import type { BatchSpend } from '../../core/batch/spend.js';
import { formatCredits } from '../../core/money/credits.js';

/** Escaping as GitHub's toolkit does it: the message (data) ... */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** ... and property values, where `:` and `,` would end the value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface Annotation {
  file: string;
  line: number;
  title?: string;
  message: string;
}

export function errorAnnotation(a: Annotation): string {
  const props = [
    `file=${escapeProperty(a.file)}`,
    `line=${a.line}`,
    ...(a.title ? [`title=${escapeProperty(a.title)}`] : []),
  ];
  return `::error ${props.join(',')}::${escapeData(a.message)}\n`;
}

/** Writes the annotations on GitHub Actions only: elsewhere they would be noise. */
export function annotate(ctx: Context, annotations: readonly Annotation[]): void {
  if (ctx.env.GITHUB_ACTIONS !== 'true') return;
  for (const a of annotations) ctx.stderr.write(errorAnnotation(a));
}

/** Annotations for a batch's entries that failed or (--frozen) would be generated. */
export function entryAnnotations(manifest: string, entries: readonly ReportEntry[]): Annotation[] {
  return entries.flatMap((r) => {
    if (r.status === 'failed')
      return [
        {
          file: manifest,
          line: r.line,
          title: `flux-krea: ${r.key} failed`,
          message: `${r.error?.message ?? 'failed'}${r.requestId ? ` (request ${r.requestId})` : ''}`,
        },
      ];
    if (r.status === 'stale')
      return [
        {
          file: manifest,
          line: r.line,
          title: `flux-krea: ${r.key} is not current`,
          message: `would be generated: ${r.reason ?? 'not current'}`,
        },
      ];
    return [];
  });
}

/** Appends to the step summary; a summary that cannot be written is a warning, never a failure. */
export async function appendStepSummary(ctx: Context, markdown: string): Promise<void> {
  const path = ctx.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  await appendFile(path, markdown).catch((e: NodeJS.ErrnoException) =>
    ctx.ui.warn(`Could not write the job summary ${path} (${e.code ?? e.message}).`),
  );
}

/** Above this many entries the table lists only those that need attention (the summary is capped at 1 MiB). */
const TABLE_MAX = 100;

const ICON: Record<string, string> = {
  done: '✅',
  skipped: '⏭️',
  failed: '❌',
  interrupted: '⏹️',
  'not-run': '⏸️',
  stale: '⚠️',
};

/** Text safe in a Markdown table cell: no pipes, no line breaks, no HTML. */
function cell(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

export interface SummaryMarkdownInput {
  manifest: string;
  lock: string;
  shard?: string;
  entries: readonly ReportEntry[];
  frozen: boolean;
  submits: number;
  elapsedMs: number;
  gallery?: string;
  /** What this run paid (batch-spend.ts); absent for --frozen. */
  spend?: BatchSpend;
  /** Where the run's artifacts are listed, when on GitHub (for the gallery). */
  artifactsUrl?: string;
  displayPath: (lockPath: string) => string;
}

export function summaryMarkdown(i: SummaryMarkdownInput): string {
  const c = countResults(i.entries);
  const title = `### flux-krea batch${i.frozen ? ' --frozen' : ''}: \`${cell(i.manifest)}\`${i.shard ? ` (shard ${i.shard})` : ''}`;
  const counts = i.frozen
    ? [`${c.skipped} current`, `${c.stale} would be generated`]
    : [
        `${c.done} done`,
        `${c.skipped} skipped`,
        `${c.failed} failed`,
        ...(c.interrupted ? [`${c.interrupted} interrupted`] : []),
        ...(c['not-run'] ? [`${c['not-run']} not run`] : []),
      ];
  const facts = [
    `**${counts.join(' · ')}** of ${c.total}`,
    ...(i.frozen ? ['nothing sent'] : [`${i.submits} submitted`, spendText(i.spend)]),
    `${(i.elapsedMs / 1000).toFixed(1)}s`,
    `lock \`${cell(i.lock)}\``,
  ];
  const lines = [title, '', facts.join(' · '), ''];
  if (i.gallery)
    lines.push(
      `Gallery: \`${cell(i.gallery)}\`${i.artifactsUrl ? ` (in this run's [artifacts](${i.artifactsUrl}) when uploaded)` : ''}`,
      '',
    );
  const attention = (r: ReportEntry) => r.status !== 'done' && r.status !== 'skipped';
  const rows = i.entries.length <= TABLE_MAX ? i.entries : i.entries.filter(attention).slice(0, TABLE_MAX);
  if (rows.length) {
    lines.push('| status | entry | line | files | cost | note |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      const files = r.files.map((f) => `\`${cell(i.displayPath(f.path))}\``).join('<br>') || '—';
      const note =
        r.reason ??
        (r.error
          ? `${r.error.message}${r.requestId ? ` (request ${r.requestId})` : ''}`
          : r.resumed
            ? 'fetched by request id'
            : '');
      lines.push(
        `| ${ICON[r.status] ?? ''} ${r.status} | ${cell(r.key)} | ${r.line} | ${files} | ${r.cost === undefined ? '—' : formatCredits(r.cost)} | ${cell(note)} |`,
      );
    }
    lines.push('');
  }
  const left = i.entries.length - rows.length;
  if (left > 0) lines.push(`${left} more entries are not listed here; \`batch --json\` reports every one.`, '');
  return `${lines.join('\n')}\n`;
}

/** The summary of a manifest that was refused before anything was sent. */
export function problemsMarkdown(manifest: string, problems: readonly { line: number; text: string }[]): string {
  const lines = [
    `### flux-krea batch: \`${cell(manifest)}\``,
    '',
    `**${problems.length} problem${problems.length === 1 ? '' : 's'} in the manifest**: nothing was sent.`,
    '',
    '| line | problem |',
    '| --- | --- |',
  ];
  for (const p of problems.slice(0, TABLE_MAX)) lines.push(`| ${p.line} | ${cell(p.text)} |`);
  if (problems.length > TABLE_MAX) lines.push('', `${problems.length - TABLE_MAX} more are listed in the log.`);
  return `${lines.join('\n')}\n\n`;
}

/** "spent 0.04 credits (1 job of unreported cost) · 9.96 left", as far as Segmind said. */
function spendText(spend: BatchSpend | undefined): string {
  if (!spend || (spend.cost === undefined && spend.unpriced > 0)) return 'spend not reported';
  const unpriced = spend.unpriced
    ? ` (+ ${spend.unpriced} job${spend.unpriced === 1 ? '' : 's'} of unreported cost)`
    : '';
  const left = spend.remaining === undefined ? '' : ` · ${formatCredits(spend.remaining)} left`;
  return `spent ${formatCredits(spend.cost ?? 0)} credits${unpriced}${left}`;
}

/** The run's page, where its artifacts (the gallery, when uploaded) are listed. */
export function artifactsUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}#artifacts` : undefined;
}
