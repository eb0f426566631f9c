// PresetQuery answers (issue 15, GB/T 28181 A.2.6.10): split under the UDP body budget with SumNum
// in every part, read back by the relaying level (gb28181/manscdp/preset-list.ts) as the same items. R-FN-3.
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { parseManscdp, UDP_BODY_BUDGET_BYTES } from '../gb28181/index.ts';
import { presetResponses } from './preset-answer.ts';
import { readPresetPart } from '../gb28181/index.ts';

const DEV = '32010600001320000001';
const read = (xml: string) => readPresetPart(parseManscdp(new Uint8Array(iconv.encode(xml, 'gb18030'))));

describe('PresetQuery answer (R-FN-3, issue 15)', () => {
  it('splits 40 long Chinese names under the UDP budget, SumNum in every part, and reads back the same items', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ id: String(i + 1), name: `预置位${i + 1}号考场讲台与后门全景 & <东>` }));
    const parts = presetResponses({ sn: 7, deviceId: DEV }, { origin: 'camera-onvif', items }, { perMessage: 20, maxBodyBytes: UDP_BODY_BUDGET_BYTES });
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(UDP_BODY_BUDGET_BYTES);
    const back = parts.map(read);
    expect(back.every((b) => b?.sumNum === 40)).toBe(true);
    expect(back.flatMap((b) => b!.items)).toEqual(items);
    // Over TCP only the item count splits.
    expect(presetResponses({ sn: 7, deviceId: DEV }, { origin: 'camera-onvif', items }, { perMessage: 20 })).toHaveLength(2);
  });

  it('an empty list is one part with Num 0; an error is Result ERROR with the Reason, read back as an error', () => {
    const [empty, ...more] = presetResponses({ sn: 8, deviceId: DEV }, { origin: 'none', items: [] }, { perMessage: 20, maxBodyBytes: UDP_BODY_BUDGET_BYTES });
    expect(more).toEqual([]);
    expect(empty).toMatch(/<SumNum>0<\/SumNum>\s*<PresetList Num="0"><\/PresetList>/);
    const [err] = presetResponses({ sn: 9, deviceId: DEV }, { origin: 'error', items: [], error: 'camera did not list its presets: 超时' }, { perMessage: 20 });
    expect(err).toMatch(/<Result>ERROR<\/Result>\s*<Reason>camera did not list its presets: 超时<\/Reason>/);
    expect(read(err)).toEqual({ sumNum: 0, items: [], error: 'camera did not list its presets: 超时' });
  });

  it("a lower's malformed part: Items without PresetID are dropped, an absurd SumNum is not believed, other answers are not preset parts", () => {
    const xml = (inner: string) => `<?xml version="1.0" encoding="GB2312"?><Response><CmdType>PresetQuery</CmdType><SN>3</SN><DeviceID>${DEV}</DeviceID>${inner}</Response>`;
    expect(read(xml('<SumNum>999999999</SumNum><PresetList Num="2"><Item><PresetName>x</PresetName></Item><Item><PresetID>2</PresetID><PresetName>后门</PresetName></Item></PresetList>'))).toEqual({ sumNum: 1, items: [{ id: '2', name: '后门' }] });
    expect(read(xml('<PresetList Num="1"><Item><PresetID>1</PresetID></Item></PresetList>'))).toEqual({ sumNum: 1, items: [{ id: '1', name: '' }] });
    expect(read(`<?xml version="1.0"?><Response><CmdType>ConfigDownload</CmdType><SN>3</SN><DeviceID>${DEV}</DeviceID></Response>`)).toBeUndefined();
  });
});
