// MANSCDP body codec: charset (GB2312/GB18030 per GB/T 28181, UTF-8 accepted) and a hardened
// XML parse. DOCTYPE/ENTITY declarations are refused outright (billion-laughs and external
// entities); size and nesting depth are bounded so a hostile lower platform cannot exhaust us.
import iconv from 'iconv-lite';
import { XMLParser } from 'fast-xml-parser';

export class ManscdpError extends Error {
  override readonly name = 'ManscdpError';
}

export const MANSCDP_MAX_BYTES = 64 * 1024;
export const MANSCDP_MAX_DEPTH = 16;

export type ManscdpCharset = 'GB2312' | 'GB18030' | 'UTF-8';

const GB_NAMES = new Set(['gb2312', 'gbk', 'gb18030', 'x-gbk', 'cp936', 'euc-cn']);
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** What decoding a body found: the declared charset and the one the bytes are really in. */
export interface CharsetNote {
  declared?: string;
  actual?: 'ASCII' | 'UTF-8' | 'GB18030';
  /** The declaration (or its absence) did not match the bytes: the peer lies about its encoding. */
  mislabelled?: boolean;
}

/**
 * Decodes a body to text. GB charsets decode as GB18030 (a superset: devices declaring GB2312
 * routinely send GBK characters). The declaration is checked against the bytes (issue 15 defect
 * 2): a body declared GB that is valid UTF-8 with non-ASCII text is UTF-8 (GB text is almost never
 * valid UTF-8: most GB lead bytes are UTF-8 continuation bytes), one declared UTF-8 that is not
 * valid UTF-8 but valid GB18030 is GB18030; `note.mislabelled` records the lie. Bytes valid in
 * neither are refused: mojibake is never passed on.
 */
export function decodeManscdpBody(body: Uint8Array, note: CharsetNote = {}): string {
  if (body.length > MANSCDP_MAX_BYTES) throw new ManscdpError(`MANSCDP body of ${body.length} bytes exceeds ${MANSCDP_MAX_BYTES}`);
  let buf = Buffer.from(body.buffer, body.byteOffset, body.length);
  let declared: 'gb' | 'utf8' | undefined;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    buf = buf.subarray(3);
    declared = 'utf8';
    note.declared = 'UTF-8 (BOM)';
  } else {
    const head = buf.subarray(0, 256).toString('latin1');
    const decl = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{1,40})["']/i.exec(head);
    if (decl) {
      const name = decl[1].trim().toLowerCase();
      note.declared = decl[1].trim();
      if (GB_NAMES.has(name)) declared = 'gb';
      else if (UTF8_NAMES.has(name)) declared = 'utf8';
      else throw new ManscdpError(`unsupported MANSCDP charset "${decl[1].slice(0, 40)}"`);
    }
  }
  if (isAscii(buf)) {
    note.actual = 'ASCII';
    return buf.toString('latin1');
  }
  const utf8 = tryUtf8(buf);
  if (utf8 !== undefined) {
    note.actual = 'UTF-8';
    note.mislabelled = declared === 'gb';
    return utf8;
  }
  if (isGb18030(buf)) {
    note.actual = 'GB18030';
    note.mislabelled = declared === 'utf8';
    return iconv.decode(buf, 'gb18030');
  }
  throw new ManscdpError(`MANSCDP body declared ${note.declared ?? 'without charset'} is neither valid GB18030 nor valid UTF-8`);
}

function isAscii(buf: Buffer): boolean {
  // Indexed, not for…of: the iterator showed in the upper's keepalive profile (bench:sip).
  for (let i = 0; i < buf.length; i++) if (buf[i] >= 0x80) return false;
  return true;
}

function tryUtf8(buf: Buffer): string | undefined {
  try {
    return strictUtf8.decode(buf);
  } catch {
    return undefined;
  }
}

/** Strict GB18030 structure: ASCII, 2-byte (81–FE, 40–7E|80–FE) or 4-byte (81–FE, 30–39, 81–FE, 30–39). */
export function isGb18030(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b === 0x80 || b === 0xff || i + 1 >= buf.length) return false;
    const b2 = buf[i + 1];
    if ((b2 >= 0x40 && b2 <= 0x7e) || (b2 >= 0x80 && b2 <= 0xfe)) {
      i += 2;
      continue;
    }
    if (b2 >= 0x30 && b2 <= 0x39 && i + 3 < buf.length && buf[i + 2] >= 0x81 && buf[i + 2] <= 0xfe && buf[i + 3] >= 0x30 && buf[i + 3] <= 0x39) {
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}

/** Encodes XML text (which must already carry its declaration) in the given charset. */
export function encodeManscdpText(xml: string, charset: ManscdpCharset): Uint8Array {
  return charset === 'UTF-8' ? Buffer.from(xml, 'utf8') : iconv.encode(xml, 'gb18030');
}

export type XmlNode = string | { [key: string]: XmlNode | XmlNode[] };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Keep text as strings: device IDs are 20-digit strings, not numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: MANSCDP_MAX_DEPTH,
  isArray: (name) => name === 'Item',
});

/** Parses text to a plain tree: { Root: { CmdType: '...', DeviceList: { '@_Num': '2', Item: [...] } } }. */
export function parseXmlTree(text: string): Record<string, XmlNode> {
  if (text.length > MANSCDP_MAX_BYTES) throw new ManscdpError(`MANSCDP XML of ${text.length} characters exceeds ${MANSCDP_MAX_BYTES}`);
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) throw new ManscdpError('XML DOCTYPE/ENTITY declarations are refused (entity expansion)');
  let tree: unknown;
  try {
    tree = parser.parse(text, true);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ManscdpError(`malformed MANSCDP XML: ${msg.slice(0, 200)}`);
  }
  if (typeof tree !== 'object' || tree === null) throw new ManscdpError('MANSCDP XML has no root element');
  return tree as Record<string, XmlNode>;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]);

/** One element: `<Name attrs>children</Name>`, children as already-built XML or text. */
export interface XmlElement {
  name: string;
  attrs?: Record<string, string | number>;
  text?: string | number;
  children?: XmlElement[];
  /** Children on one line, without indentation: a catalog item's <Info> costs ~10 bytes less per field (UDP size budget). */
  inline?: boolean;
}

export function renderXml(el: XmlElement, indent = ''): string {
  const attrs = Object.entries(el.attrs ?? {}).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
  if (el.inline && el.children && el.children.length > 0) {
    const inner = el.children.map((c) => renderXml(c).slice(0, -2)).join('');
    return `${indent}<${el.name}${attrs}>${inner}</${el.name}>\r\n`;
  }
  if (el.children && el.children.length > 0) {
    const inner = el.children.map((c) => renderXml(c, indent + '  ')).join('');
    return `${indent}<${el.name}${attrs}>\r\n${inner}${indent}</${el.name}>\r\n`;
  }
  if (el.text === undefined && el.children) return `${indent}<${el.name}${attrs}></${el.name}>\r\n`;
  return `${indent}<${el.name}${attrs}>${escapeXml(String(el.text ?? ''))}</${el.name}>\r\n`;
}

export function xmlDocument(root: XmlElement, charset: ManscdpCharset): string {
  return `<?xml version="1.0" encoding="${charset}"?>\r\n${renderXml(root)}`;
}
