/**
 * The XMP packet that carries flux-krea's provenance in PNG, JPEG and WebP files: the standard
 * CreatorTool and dc:description (the prompt) that image tools show, IPTC's DigitalSourceType
 * saying the image was made by a trained model (the label platforms and the EU AI Act's
 * transparency rules look for), plus the whole record as JSON in one property of our own so
 * that it reads back exactly.
 */
export const XMP_NS = 'https://www.npmjs.com/package/flux-krea#';
const PROPERTY = 'fluxkrea:provenance';
/** IPTC Photo Metadata's extension schema, where DigitalSourceType lives. */
export const IPTC_EXT_NS = 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/';
/** IPTC's controlled value for "created by a trained model": what a text-to-image model makes. */
export const TRAINED_ALGORITHMIC_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#x([0-9a-f]+)|#(\d+));/gi, (_, name: string, hex?: string, dec?: string) => {
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    if (dec) return String.fromCodePoint(Number(dec));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name.toLowerCase()]!;
  });
}

export function xmpPacket(json: string, creator: string, description: string): string {
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    `  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:Iptc4xmpExt="${IPTC_EXT_NS}" xmlns:fluxkrea="${XMP_NS}">`,
    `   <xmp:CreatorTool>${escapeXml(creator)}</xmp:CreatorTool>`,
    `   <Iptc4xmpExt:DigitalSourceType>${TRAINED_ALGORITHMIC_MEDIA}</Iptc4xmpExt:DigitalSourceType>`,
    `   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(description)}</rdf:li></rdf:Alt></dc:description>`,
    `   <${PROPERTY}>${escapeXml(json)}</${PROPERTY}>`,
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** Our JSON from an XMP packet, or undefined when the packet is not ours. */
export function jsonFromXmp(xmp: string): string | undefined {
  const m = new RegExp(`<${PROPERTY}>([\\s\\S]*?)</${PROPERTY}>`).exec(xmp);
  return m ? unescapeXml(m[1]!) : undefined;
}

export function isOurXmp(xmp: string): boolean {
  return xmp.includes(XMP_NS);
}
