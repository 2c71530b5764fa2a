import { describe, expect, it } from 'vitest';
import { extractImages, refFromString, sniffImage } from '../../src/api/extract.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const b64 = Buffer.concat([PNG, Buffer.alloc(64, 7)]).toString('base64');

describe('extractImages', () => {
  it('prefers images[].url and keeps its content type and name', () => {
    const refs = extractImages({
      status: 'COMPLETED',
      output: 'https://images.segmind.com/a.jpg',
      images: [
        { url: 'https://images.segmind.com/a.jpg', content_type: 'image/jpeg', file_name: 'a.jpg' },
        { url: 'https://images.segmind.com/b.jpg' },
      ],
    });
    expect(refs).toEqual([
      { kind: 'url', url: 'https://images.segmind.com/a.jpg', contentType: 'image/jpeg', fileName: 'a.jpg' },
      { kind: 'url', url: 'https://images.segmind.com/b.jpg' },
    ]);
  });
  it('reads output as a string or an array', () => {
    expect(extractImages({ output: 'https://x/a.png' })).toEqual([{ kind: 'url', url: 'https://x/a.png' }]);
    expect(extractImages({ output: ['https://x/a.png', 'https://x/b.png'] })).toHaveLength(2);
  });
  it('decodes plain base64 and data URIs', () => {
    const [a] = extractImages({ output: [b64] });
    expect(a).toMatchObject({ kind: 'bytes' });
    expect(sniffImage((a as { data: Buffer }).data)).toMatchObject({ ext: 'png' });
    const [b] = extractImages({ output: [`data:image/png;base64,${b64}`] });
    expect(b).toMatchObject({ kind: 'bytes', contentType: 'image/png' });
    expect(extractImages({ image: b64 })).toHaveLength(1);
    expect(extractImages({ images: [b64, b64] })).toHaveLength(2);
  });
  it('ignores what is not an image reference: other schemes, words, empty answers', () => {
    expect(extractImages({ output: 'file:///etc/passwd' })).toEqual([]);
    expect(extractImages({ output: 'javascript:alert(1)' })).toEqual([]);
    expect(extractImages({ output: 'COMPLETED' })).toEqual([]);
    expect(extractImages({ status: 'COMPLETED' })).toEqual([]);
    expect(extractImages(null)).toEqual([]);
    expect(refFromString('ftp://x/a.png')).toBeUndefined();
  });
  it('drops duplicate URLs', () => {
    expect(extractImages({ output: ['https://x/a.png', 'https://x/a.png'] })).toHaveLength(1);
  });
});

describe('sniffImage', () => {
  it('knows PNG, JPEG, WebP and GIF by their first bytes', () => {
    expect(sniffImage(PNG)?.ext).toBe('png');
    expect(sniffImage(Buffer.from('ffd8ffe000104a464946', 'hex'))?.ext).toBe('jpg');
    expect(sniffImage(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8L', 'latin1'))?.ext).toBe('webp');
    expect(sniffImage(Buffer.from('GIF89a', 'latin1'))?.ext).toBe('gif');
    expect(sniffImage(Buffer.from('<html><body>', 'latin1'))).toBeUndefined();
    expect(sniffImage(Buffer.alloc(0))).toBeUndefined();
  });
});
