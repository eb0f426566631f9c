// The catalog item's <Info> block (GB/T 28181-2016 A.2.4.4 and 2022 A.2.4.4). 2016 puts the
// camera attributes PTZType (1-4), PositionType, RoomType, UseType, SupplyLightType,
// DirectionType, Resolution, BusinessGroupID, DownloadSpeed, SVCSpaceSupportMode and
// SVCTimeSupportMode there; 2022 drops PositionType/UseType, widens PTZType (1-7, several values
// joined by '/'), lifts BusinessGroupID to the Item and adds PhotoelectricImagingType,
// CapturePositionType, StreamNumberList, SSVCRatioSupportList and the point/management fields.
// Real peers send either set (or both), so both are read and neither is dropped by version.
//
// Every field is checked against its form: a malformed value is left out (and named in
// `rejected`, for the caller's warn line) instead of refusing the whole item or relaying
// garbage upward; fields the standard does not define (vendor extensions) are ignored.
import type { XmlElement, XmlNode } from './xml.ts';

const list = (one: string): RegExp => new RegExp(`^(?:${one})(?:/(?:${one}))*$`);
const DECIMAL = /^\d{1,6}(?:\.\d{1,6})?$/;
/** Free text: printable, no markup characters (they would have been entities), at most 64 characters. */
const TEXT = /^[^\p{Cc}<>&]{1,64}$/u;

/** Field name → accepted form, in the order they are written (2016 order, then 2022 additions). */
export const CATALOG_INFO_FORMS = {
  PTZType: list('[1-7]'),
  PhotoelectricImagingType: list('[1-59]'),
  CapturePositionType: list('[0-9A-Za-z]{1,16}'),
  PositionType: /^(?:[1-9]|10)$/,
  RoomType: /^[12]$/,
  UseType: /^[1-3]$/,
  SupplyLightType: /^[1-49]$/,
  DirectionType: /^[1-8]$/,
  Resolution: list('[1-9]\\d?'),
  StreamNumberList: list('\\d'),
  BusinessGroupID: /^\d{20}$/,
  DownloadSpeed: list('\\d{1,3}'),
  SVCSpaceSupportMode: /^[0-3]$/,
  SVCTimeSupportMode: /^[0-3]$/,
  SSVCRatioSupportList: list('\\d{1,2}:\\d{1,2}'),
  MobileDeviceType: /^\d{1,2}$/,
  HorizontalFieldAngle: DECIMAL,
  VerticalFieldAngle: DECIMAL,
  MaxViewDistance: DECIMAL,
  GrassrootsCode: /^\d{6,20}$/,
  PointType: /^[1239]$/,
  PointCommonName: TEXT,
  MAC: /^[0-9A-Fa-f]{2}(?:[-:][0-9A-Fa-f]{2}){5}$/,
  FunctionType: list('\\d{2}'),
  EncodeType: list('[0-9A-Za-z.]{1,16}'),
  InstallTime: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?$/,
  ManagementUnit: TEXT,
  ContactInfo: list('[0-9+-]{3,20}'),
  RecordSaveDays: /^\d{1,5}$/,
  IndustrialClassification: /^[A-Za-z0-9]{1,8}$/,
} as const satisfies Record<string, RegExp>;

export type CatalogInfoField = keyof typeof CATALOG_INFO_FORMS;
/** The Info fields of one item, as text (2016 integers and 2022 strings alike). */
export type CatalogInfo = Partial<Record<CatalogInfoField, string>>;

const FIELDS = Object.keys(CATALOG_INFO_FORMS) as CatalogInfoField[];
const isField = (k: string): k is CatalogInfoField => Object.hasOwn(CATALOG_INFO_FORMS, k);

export interface ReadInfo {
  info: CatalogInfo;
  /** Known fields left out because their value was malformed (repeated, nested, out of range). */
  rejected: CatalogInfoField[];
}

/** Text of one field: a string, or the text of an element with attributes; undefined when repeated or nested. */
function textOf(v: XmlNode | XmlNode[]): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.every((key) => key.startsWith('@_'))) return '';
  const t = v['#text'];
  return typeof t === 'string' && keys.every((key) => key === '#text' || key.startsWith('@_')) ? t.trim() : undefined;
}

/** Reads a parsed `<Info>` element; never throws (a bad field is dropped and named). */
export function readCatalogInfo(node: XmlNode | XmlNode[] | undefined): ReadInfo {
  const info: CatalogInfo = {};
  const rejected: CatalogInfoField[] = [];
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return { info, rejected };
  for (const [k, v] of Object.entries(node)) {
    if (!isField(k)) continue;
    const text = textOf(v);
    // An empty element is "not given" (wvp writes <PositionType></PositionType> for unknowns).
    if (text === '') continue;
    if (text !== undefined && CATALOG_INFO_FORMS[k].test(text)) info[k] = text;
    else rejected.push(k);
  }
  return { info, rejected };
}

/** Keeps only well-formed known fields (for Info read back from storage or built by the app). */
export function cleanCatalogInfo(raw: Record<string, unknown>): CatalogInfo {
  const out: CatalogInfo = {};
  for (const k of FIELDS) {
    const v = raw[k];
    if (typeof v === 'string' && CATALOG_INFO_FORMS[k].test(v)) out[k] = v;
  }
  return out;
}

/** The `<Info>` element in the standard's order, or undefined when there is nothing to say. */
export function catalogInfoElement(info: Record<string, string>): XmlElement | undefined {
  const children: XmlElement[] = [];
  for (const k of FIELDS) {
    const v = info[k];
    if (typeof v === 'string' && v !== '') children.push({ name: k, text: v });
  }
  return children.length > 0 ? { name: 'Info', children, inline: true } : undefined;
}
