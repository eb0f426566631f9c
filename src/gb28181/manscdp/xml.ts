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

/**
 * Decodes a body to text. GB charsets decode as GB18030 (a superset: devices declaring GB2312
 * routinely send GBK characters). Undeclared or mis-declared UTF-8 that is not valid UTF-8 falls
 * back to GB18030, which is what real devices mean.
 */
export function decodeManscdpBody(body: Uint8Array): string {
  if (body.length > MANSCDP_MAX_BYTES) throw new ManscdpError(`MANSCDP body of ${body.length} bytes exceeds ${MANSCDP_MAX_BYTES}`);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.length);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return utf8OrGb(buf.subarray(3));
  const head = buf.subarray(0, 256).toString('latin1');
  const decl = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{1,40})["']/i.exec(head);
  if (!decl) return utf8OrGb(buf);
  const name = decl[1].trim().toLowerCase();
  if (GB_NAMES.has(name)) return iconv.decode(buf, 'gb18030');
  if (UTF8_NAMES.has(name)) return utf8OrGb(buf);
  throw new ManscdpError(`unsupported MANSCDP charset "${decl[1].slice(0, 40)}"`);
}

function utf8OrGb(buf: Buffer): string {
  try {
    return strictUtf8.decode(buf);
  } catch {
    return iconv.decode(buf, 'gb18030');
  }
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
}

export function renderXml(el: XmlElement, indent = ''): string {
  const attrs = Object.entries(el.attrs ?? {}).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
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
