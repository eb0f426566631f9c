// Table-driven mapping between camelCase TypeScript fields and MANSCDP element names, so each
// message type is declared once and parse/build cannot drift apart.
import { ManscdpError } from './xml.ts';
import type { XmlElement, XmlNode } from './xml.ts';

export type FieldKind = 'str' | 'int' | 'num';
export type FieldSpec = readonly [key: string, tag: string, kind: FieldKind];

/** Text of a child element; undefined when absent; objects (unexpected nesting) are refused. */
export function textOf(node: XmlNode | XmlNode[] | undefined, tag: string): string | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
  const v = node[tag];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new ManscdpError(`<${tag}> repeated`);
  if (typeof v === 'string') return v;
  // <Tag attr="x">text</Tag> parses to { '#text': 'text', '@_attr': 'x' }.
  const t = v['#text'];
  if (typeof t === 'string') return t;
  if (Object.keys(v).every((k) => k.startsWith('@_'))) return '';
  throw new ManscdpError(`<${tag}> must hold text`);
}

export function childOf(node: XmlNode | XmlNode[] | undefined, tag: string): XmlNode | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
  const v = node[tag];
  if (Array.isArray(v)) throw new ManscdpError(`<${tag}> repeated`);
  return v;
}

export function parseIntField(text: string, tag: string): number {
  if (!/^-?\d{1,15}$/.test(text.trim())) throw new ManscdpError(`<${tag}> must be an integer`);
  return Number(text.trim());
}

export function readFields(node: XmlNode | undefined, specs: readonly FieldSpec[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, tag, kind] of specs) {
    const t = textOf(node, tag);
    if (t === undefined || (t === '' && kind !== 'str')) continue;
    if (kind === 'str') out[key] = t;
    else if (kind === 'int') out[key] = parseIntField(t, tag);
    else {
      const n = Number(t);
      if (!Number.isFinite(n)) throw new ManscdpError(`<${tag}> must be a number`);
      out[key] = n;
    }
  }
  return out;
}

export function writeFields(obj: object, specs: readonly FieldSpec[]): XmlElement[] {
  const rec = obj as Record<string, unknown>;
  const out: XmlElement[] = [];
  for (const [key, tag] of specs) {
    const v = rec[key];
    if (typeof v === 'string' || typeof v === 'number') out.push({ name: tag, text: v });
  }
  return out;
}

/** Items of a list element (<DeviceList Num="n"><Item>…) — absent or empty list gives []. */
export function itemsOf(node: XmlNode | undefined, listTag: string): XmlNode[] {
  const list = childOf(node, listTag);
  if (list === undefined || typeof list === 'string') return [];
  const items = list.Item;
  if (items === undefined) return [];
  return Array.isArray(items) ? items : [items];
}

/** String children of an element as a flat record (used for <Info>, <Alarmstatus>, free-form parts). */
export function flatStrings(node: XmlNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (node === undefined || typeof node === 'string') return out;
  for (const [k, v] of Object.entries(node)) if (typeof v === 'string' && !k.startsWith('@_')) out[k] = v;
  return out;
}
