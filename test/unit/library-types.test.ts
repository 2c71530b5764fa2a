/**
 * The library's public types are written by hand so that its declarations need no zod
 * (src/library-types.ts). These assertions make `npm run typecheck` fail when they drift from the
 * schema or from the internal types they stand for.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  modelParamsSchema,
  ASPECT_RATIOS,
  MEGAPIXELS,
  OUTPUT_FORMATS,
  ResolvedParams as SchemaResolved,
} from '../../src/params/schema.js';
import type {
  GenerateParams,
  ResolvedParams,
  AspectRatio,
  Megapixels,
  OutputFormat,
  Provenance,
  ImageRef,
  SavedImage,
  Metrics,
  JobStatus,
} from '../../src/library-types.js';
import type { Provenance as InternalProvenance } from '../../src/output/metadata.js';
import type { ImageRef as InternalImageRef } from '../../src/api/extract.js';
import type { SavedImage as InternalSavedImage } from '../../src/output/download.js';
import type { Metrics as InternalMetrics, JobStatus as InternalJobStatus } from '../../src/api/client.js';

/** An intersection as one plain object type. */
type Flat<T> = { [K in keyof T]: T[K] };

describe('public types equal the schema and the internal types', () => {
  it('parameters', () => {
    expectTypeOf<GenerateParams>().toEqualTypeOf<z.input<typeof modelParamsSchema>>();
    expectTypeOf<ResolvedParams>().toEqualTypeOf<Flat<SchemaResolved>>();
    expectTypeOf<AspectRatio>().toEqualTypeOf<(typeof ASPECT_RATIOS)[number]>();
    expectTypeOf<Megapixels>().toEqualTypeOf<(typeof MEGAPIXELS)[number]>();
    expectTypeOf<OutputFormat>().toEqualTypeOf<(typeof OUTPUT_FORMATS)[number]>();
  });

  it('results', () => {
    expectTypeOf<Provenance>().toEqualTypeOf<InternalProvenance>();
    expectTypeOf<ImageRef>().toEqualTypeOf<InternalImageRef>();
    expectTypeOf<SavedImage>().toEqualTypeOf<InternalSavedImage>();
    expectTypeOf<Metrics>().toEqualTypeOf<InternalMetrics>();
    expectTypeOf<JobStatus>().toEqualTypeOf<InternalJobStatus>();
  });
});
