// GET /v2/requests/<id>/status and GET /v2/requests/<id> (the result).
import type { Context } from './context.js';
import { json, type Reply } from './http-util.js';
import { renderImage } from './images/index.js';
import { contentTypeOf, type Job } from './jobs.js';
import type { JobStatus } from './types.js';

const notFound = (id: string): Reply => json(404, { error: `Request ${id} not found` });

const failed = (job: Job): Reply =>
  json(422, { status: 'FAILED', error: job.error, request_id: job.id });

/** The name a state is reported under: PROCESSING may be renamed to test unknown states. */
function shown(ctx: Context, state: JobStatus): string {
  return state === 'PROCESSING' && ctx.config.unknownStatus ? ctx.config.unknownStatus : state;
}

export function statusRoute(ctx: Context, id: string): Reply {
  const job = ctx.jobs.get(id);
  if (!job) return notFound(id);
  const state = ctx.jobs.poll(job);
  if (state === 'FAILED') return failed(job);
  return json(200, { request_id: job.id, status: shown(ctx, state) });
}

function metrics(ctx: Context, job: Job): Record<string, number> {
  return { inference_time: job.inferenceTime, cost: job.cost, remaining_credits: ctx.config.credits };
}

/** The image fields of a COMPLETED result, in the configured shape. */
function imageFields(ctx: Context, job: Job): Record<string, unknown> {
  const urls = ctx.jobs.imageUrls(job);
  const contentType = contentTypeOf(job.params.output_format);
  const base64 = (): string[] =>
    job.files.map((name) => renderImage(ctx.jobs.images.get(name)!).bytes.toString('base64'));
  switch (ctx.config.v2ResultShape) {
    case 'images':
      return {
        images: job.files.map((name, i) => ({ url: urls[i], content_type: contentType, file_name: name })),
        output: urls[0],
      };
    case 'output-string':
      // The worst case: a single URL even when several images were made.
      return { output: urls[0] };
    case 'output-array':
      return { output: urls };
    case 'base64': {
      const encoded = base64();
      return { output: encoded.length === 1 ? encoded[0] : encoded };
    }
    case 'data-uri':
      return { output: base64().map((b) => `data:${contentType};base64,${b}`) };
  }
}

export function resultRoute(ctx: Context, id: string): Reply {
  const job = ctx.jobs.get(id);
  if (!job) return notFound(id);
  let state = ctx.jobs.peek(job);
  // Asking for the result of a running job counts as a poll (polls mode).
  if (state !== 'COMPLETED' && state !== 'FAILED') state = ctx.jobs.poll(job);
  if (state === 'FAILED') return failed(job);
  if (state !== 'COMPLETED') return json(200, { status: shown(ctx, state), request_id: job.id });
  return json(200, {
    status: 'COMPLETED',
    request_id: job.id,
    metrics: metrics(ctx, job),
    ...imageFields(ctx, job),
  });
}

/** The 'no-image' fault: a COMPLETED result that carries no images at all. */
export function noImageResult(ctx: Context, id: string): Reply {
  const job = ctx.jobs.get(id);
  const body: Record<string, unknown> = { status: 'COMPLETED', request_id: id };
  if (job) body['metrics'] = metrics(ctx, job);
  return json(200, body);
}
