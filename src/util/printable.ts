/**
 * Text from outside (a manifest, an image's record, the journal) shown in a terminal: its
 * control characters are written as `\u001b`, so no escape sequence can clear the screen,
 * retitle the window or forge a line.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
