// Keepalives are most of what an upper receives (2,000 devices every 10 s = 200 a second, issue 15
// "a quieter upper"): the one shape every device sends — declaration (nothing before it), then
// Notify with CmdType, SN, DeviceID and Status in this order, no attributes, entities, comments
// or <Info> — is read with one anchored regular expression instead of the validating XML parser.
// Anything else goes to the full parser. The fuzz target `gb-keepalive` checks that both give the
// same message whenever this one answers, so the shortcut never accepts what the parser refuses.
import type { Keepalive } from './messages.ts';

/** XML whitespace (XML 1.0 §2.3 S): not \s, which also matches \v, \f and Unicode spaces. */
const S = '[ \\t\\r\\n]';
const Q = (body: string) => `(?:"${body}"|'${body}')`;
const DECL = String.raw`<\?xml${S}+version${S}*=${S}*${Q(String.raw`1\.0`)}(?:${S}+encoding${S}*=${S}*${Q('[A-Za-z0-9_-]{1,40}')})?${S}*\?>`;
const KEEPALIVE = new RegExp(String.raw`^(?:${DECL}${S}*|${S}*)<Notify>${S}*<CmdType>Keepalive</CmdType>${S}*<SN>(\d{1,15})</SN>${S}*<DeviceID>([0-9A-Za-z]{1,64})</DeviceID>${S}*<Status>([A-Za-z]{1,16})</Status>${S}*</Notify>${S}*$`);

/** Bodies longer than this are never a plain keepalive (they carry <Info> or worse). */
const MAX_CHARS = 1024;

/** The keepalive in `text`, or undefined when it is not the plain shape (then parse it fully). */
export function parseKeepaliveFast(text: string): Keepalive | undefined {
  if (text.length > MAX_CHARS) return undefined;
  const m = KEEPALIVE.exec(text);
  if (!m) return undefined;
  return { kind: 'keepalive', sn: Number(m[1]), deviceId: m[2], status: m[3] };
}
