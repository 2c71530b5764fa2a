// POST /v2/flux-krea-dev (async submit) and POST /v1/flux-krea-dev (sync, "maintenance mode").
import type { Context } from './context.js';
import { json, type Reply } from './http-util.js';
import { bodyChunks, paddedBody, renderImage } from './images/index.js';
import type { Job } from './jobs.js';
import { validateParams } from './params.js';
import { rateLimited } from './rate-limit.js';

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Checks shared by v1 and v2, in gateway order; creates (and bills) the job when all pass.
 * v2 validates after queueing (observed): an invalid body still gets a job id, and the first
 * poll answers 422 FAILED with the reason; such a job is not billed.
 */
function admit(ctx: Context, api: 'v1' | 'v2', raw: Buffer): Job | Reply {
  if (ctx.config.retired) return json(410, { error: 'Model flux-krea-dev has been retired' });
  if (ctx.config.forbidden) return json(403, { error: 'Your account does not have access to this model' });
  if (ctx.config.rateLimit?.routes !== 'all') {
    const limited = rateLimited(ctx);
    if (limited) return limited;
  }
  const parsed = parseJson(raw);
  if (!parsed.ok) return json(400, { error: 'Request body is not valid JSON' });
  const validation = validateParams(parsed.value);
  if (!validation.ok) {
    if (api === 'v2' && ctx.config.validation === 'after-queue')
      return ctx.jobs.createInvalid(parsed.value, validation.error);
    return json(400, { error: validation.error });
  }
  const cost = validation.params.num_outputs * ctx.jobs.nextPrice();
  if (ctx.config.credits < cost) {
    // v2 answers 402 (observed); v1 406.
    const message = `Insufficient credits. You have ${ctx.config.credits} credits.`;
    return json(api === 'v2' ? 402 : 406, { error: message });
  }
  return ctx.jobs.create(api, validation.params);
}

const isReply = (x: Job | Reply): x is Reply => 'status' in x && 'body' in x;

export function submitV2(ctx: Context, raw: Buffer): Reply {
  const admitted = admit(ctx, 'v2', raw);
  if (isReply(admitted)) return admitted;
  const base = `${ctx.apiBase()}/v2/requests/${admitted.id}`;
  return json(200, {
    request_id: admitted.id,
    status: 'QUEUED',
    // The legacy v1 output endpoint (observed), not a status endpoint.
    poll_url: `${ctx.apiBase()}/v1/requests/${admitted.id}`,
    ...(ctx.config.omitStatusUrl ? {} : { status_url: `${base}/status` }),
    response_url: base,
  });
}

export async function submitV1(ctx: Context, raw: Buffer): Promise<Reply> {
  const admitted = admit(ctx, 'v1', raw);
  if (isReply(admitted)) return admitted;
  if (ctx.config.progress === 'time') await ctx.delay(ctx.config.queuedMs + ctx.config.processingMs);
  return v1Reply(ctx, admitted);
}

function v1Reply(ctx: Context, job: Job): Reply {
  const headers: Record<string, string> = {
    ...(ctx.config.reportCost ? { 'x-remaining-credits': String(ctx.config.credits), 'x-cost': String(job.cost) } : {}),
    'x-request-id': job.id,
    'x-generation-time': String(job.inferenceTime),
    'x-seed-value': String(job.seed),
  };
  // A model that runs and fails on v1 surfaces as 500 (Segmind's error guide).
  if (job.error) return json(500, { error: job.error }, headers);
  const images = job.files.map((name) => renderImage(ctx.jobs.images.get(name)!));
  switch (ctx.config.v1Shape) {
    case 'json-base64': {
      const encoded = images.map((image) => image.bytes.toString('base64'));
      return json(200, encoded.length === 1 ? { image: encoded[0] } : { images: encoded }, headers);
    }
    case 'json-urls':
      return json(200, { images: ctx.jobs.imageUrls(job) }, headers);
    case 'bytes': {
      // Only the first image fits in a bytes answer: what v1 does for more is unknown.
      const body = paddedBody(images[0]!, ctx.config.imagePadBytes);
      return {
        status: 200,
        headers: { ...headers, 'content-type': body.contentType },
        body: { length: body.length, chunks: () => bodyChunks(body) },
      };
    }
  }
}
