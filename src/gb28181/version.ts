// Protocol version identification (GB/T 28181-2022 Annex I): the `X-GB-Ver` header on REGISTER
// and on the answers to it (401, 403, 200), so each side knows which edition the other speaks
// and may use that edition's features (e.g. SM3 digests) only when the peer declared it.

/** The header's name as the standard spells it (SipHeaders keeps this spelling, see headers.ts). */
export const GB_VERSION_HEADER = 'X-GB-Ver';

/** Editions with a version number in Annex I, table I.1. */
export type GbEdition = '2011' | '2011-amendment' | '2016' | '2022';

const VERSION_OF: Record<GbEdition, string> = { '2011': '1.0', '2011-amendment': '1.1', '2016': '2.0', '2022': '3.0' };

/** The header value for an edition: '2022' → "3.0", '2016' → "2.0". */
export function gbVersionText(edition: GbEdition): string {
  return VERSION_OF[edition];
}

export interface GbVersion {
  /** The value as declared, trimmed ("3.0"); at most 8 characters. */
  text: string;
  major: number;
  minor: number;
  /** The edition it names, undefined for a number Annex I does not list (a later edition). */
  edition?: GbEdition;
}

/**
 * Parses an `X-GB-Ver` value ("3.0", " 2.0 "); undefined when absent or not `<major>.<minor>`
 * (a peer that sends nonsense is treated as one that sent nothing: 2016 or older).
 */
export function parseGbVersion(value: string | undefined): GbVersion | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(value.trim());
  if (!m) return undefined;
  const text = `${Number(m[1])}.${Number(m[2])}`;
  const edition = (Object.keys(VERSION_OF) as GbEdition[]).find((e) => VERSION_OF[e] === text);
  return { text, major: Number(m[1]), minor: Number(m[2]), ...(edition ? { edition } : {}) };
}

/** True when the declared version is GB/T 28181-2022 or later (SM3 digest, 2022 messages). */
export function speaks2022(v: GbVersion | string | undefined | null): boolean {
  const p = typeof v === 'string' ? parseGbVersion(v) : (v ?? undefined);
  return p !== undefined && p.major >= 3;
}
