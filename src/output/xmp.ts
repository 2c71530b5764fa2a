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

/**
 * Characters XML 1.0 cannot carry at all, not even as a reference: C0 controls other than tab,
 * LF and CR, U+FFFE, U+FFFF and lone surrogates. One of them in a prompt made the whole packet
 * ill-formed: strict XMP readers (Adobe's toolkit, exiv2, any XML parser) then drop every tag.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for people (the prompt, the tool): what XML cannot carry becomes U+FFFD. */
function escapeXml(s: string): string {
  return escapeMarkup(s.replace(NOT_XML, '\ufffd'));
}

/**
 * JSON text, kept exact: JSON.stringify already writes controls and lone surrogates as \u
 * escapes, and U+FFFE/U+FFFF can only be inside a JSON string, where an escape means the same.
 */
function escapeJson(json: string): string {
  return escapeMarkup(json.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function escapeMarkup(s: string): string {
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
    `   <${PROPERTY}>${escapeJson(json)}</${PROPERTY}>`,
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
