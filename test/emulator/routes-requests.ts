// GET /v2/requests/<id>/status and GET /v2/requests/<id> (the result).
import type { Context } from './context.js';
import { json, type Reply } from './http-util.js';
import { paddedBody, renderImage } from './images/index.js';
import { contentTypeOf, type Job } from './jobs.js';
import type { JobStatus } from './types.js';

const notFound = (id: string): Reply => json(404, { error: `Request ${id} not found` });

/** Observed: no request_id in a FAILED body, and metrics with the times only. */
const failed = (job: Job): Reply =>
  json(422, { status: 'FAILED', error: job.error, metrics: { inference_time: job.inferenceTime, queue_time: 0.1 } });

/** The name a state is reported under: PROCESSING may be renamed to test unknown states. */
function shown(ctx: Context, state: JobStatus): string {
  return state === 'PROCESSING' && ctx.config.unknownStatus ? ctx.config.unknownStatus : state;
}

export function statusRoute(ctx: Context, id: string): Reply {
  const job = ctx.jobs.get(id);
  if (!job) return notFound(id);
  const state = ctx.jobs.poll(job);
  if (state === 'FAILED') return failed(job);
  if (state === 'COMPLETED')
    return json(200, { status: 'COMPLETED', request_id: job.id, metrics: { inference_time: job.inferenceTime } });
  const base = `${ctx.apiBase()}/v2/requests/${job.id}`;
  return json(200, {
    status: shown(ctx, state),
    request_id: job.id,
    status_url: `${base}/status`,
    response_url: base,
    metrics: {},
  });
}

/**
 * GET /v1/requests/<id>: the legacy output endpoint a submit names `poll_url`. Observed
 * answering 404 while the job runs; a client must never poll it for the status.
 */
export function legacyOutputRoute(ctx: Context, id: string): Reply {
  const job = ctx.jobs.get(id);
  if (!job || ctx.jobs.peek(job) !== 'COMPLETED')
    return json(404, { error: `Output for this request ID ${id} Not Found` });
  return json(200, { status: 'COMPLETED', output: ctx.jobs.imageUrls(job) });
}

function metrics(ctx: Context, job: Job): Record<string, number> {
  const queueTime = ctx.config.progress === 'time' ? ctx.config.queuedMs / 1000 : 0.1;
  return {
    inference_time: job.inferenceTime,
    queue_time: queueTime,
    total_time: Math.round((job.inferenceTime + queueTime) * 1e6) / 1e6,
    retry_count: 0,
    ...(ctx.config.reportCost ? { cost: job.cost, remaining_credits: ctx.config.credits } : {}),
  };
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
        images: job.files.map((name, i) => ({
          url: urls[i],
          content_type: contentType,
          file_name: name,
          file_size: paddedBody(renderImage(ctx.jobs.images.get(name)!), ctx.config.imagePadBytes).length,
        })),
        output: urls[0],
      };
    case 'output-json-string':
      // Other models on the gateway send the array JSON-encoded inside a string.
      return { output: JSON.stringify(urls) };
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
