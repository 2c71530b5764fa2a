/** A batch and a single run tell of a retry with the same line (they had drifted apart). */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Ui } from '../../src/cli/ui.js';
import { streamOutput } from '../../src/cli/output.js';
import { BatchReporter } from '../../src/commands/shared/batch-reporter.js';
import { StatusReporter } from '../../src/commands/shared/status-reporter.js';

function captureUi() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { ui: new Ui({ env: { NO_COLOR: '1' }, out: streamOutput(stream) }), text: () => text };
}

const retry = {
  method: 'POST',
  url: 'http://127.0.0.1:9/v2/flux-krea-dev',
  attempt: 1,
  delayMs: 500,
  reason: 'Connection refused by 127.0.0.1:9 (ECONNREFUSED).',
};

describe('retry lines', () => {
  it('are the same in a batch and in a single run, without a stray period', () => {
    const batch = captureUi();
    new BatchReporter(batch.ui, 1).events().retry?.(retry);
    const single = captureUi();
    new StatusReporter(single.ui).events().retry?.(retry);
    expect(batch.text()).toContain(
      'POST /v2/flux-krea-dev: Connection refused by 127.0.0.1:9 (ECONNREFUSED); retry 1 in 0.5s',
    );
    expect(batch.text()).not.toContain('.;');
    expect(batch.text()).toBe(single.text());
  });
});
