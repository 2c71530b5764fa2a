/** A complete, small request body (one 0.25 MP PNG, 4 steps) for client tests that send one. */
export const SMALL_PARAMS = {
  prompt: 'x',
  aspect_ratio: '1:1',
  megapixels: '0.25',
  num_outputs: 1,
  guidance: 7,
  num_inference_steps: 4,
  output_format: 'png',
  output_quality: 90,
  go_fast: true,
  disable_safety_checker: false,
  seed: 1,
} as const;
