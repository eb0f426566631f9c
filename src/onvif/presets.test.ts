// ONVIF PTZ GetPresets answers are network input from cameras (issue 15 PresetQuery): well-formed
// ones are read in the camera's order; malformed ones are refused as a whole, with OnvifError 'parse'.
import { describe, expect, it } from 'vitest';
import { OnvifError, parsePresets } from './parse.ts';

const env = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>${body}</s:Body></s:Envelope>`;
const answer = (presets: string) => env(`<tptz:GetPresetsResponse>${presets}</tptz:GetPresetsResponse>`);

function refused(xml: string): OnvifError {
  try {
    parsePresets(xml);
  } catch (err) {
    expect(err).toBeInstanceOf(OnvifError);
    expect((err as OnvifError).kind).toBe('parse');
    return err as OnvifError;
  }
  throw new Error('accepted a malformed GetPresets answer');
}

describe('ONVIF GetPresets parser (R-FN-3, issue 15 PresetQuery)', () => {
  it('reads tokens and names in the camera order, with a Hikvision-style position element', () => {
    const xml = answer('<tptz:Preset token="1"><tt:Name>讲台</tt:Name><tt:PTZPosition><tt:PanTilt x="0.1" y="0.2"/></tt:PTZPosition></tptz:Preset><tptz:Preset token="12"><tt:Name> 后门 </tt:Name></tptz:Preset><tptz:Preset token="3"/>');
    expect(parsePresets(xml)).toEqual([{ token: '1', name: '讲台' }, { token: '12', name: '后门' }, { token: '3', name: '' }]);
    expect(parsePresets(answer(''))).toEqual([]);
    // Entities are kept by the parser (no expansion) and decoded in names: the upper sees A&B.
    expect(parsePresets(answer('<tptz:Preset token="5"><tt:Name>A&amp;B &lt;1&gt;</tt:Name></tptz:Preset>'))).toEqual([{ token: '5', name: 'A&B <1>' }]);
  });

  it('refuses malformed answers: truncated, no token, a bad token, a duplicate token, a text Preset, a structured name, too many, another answer', () => {
    refused(answer('<tptz:Preset token="1"><tt:Name>讲台</tt:Name></tptz:Pre'));
    refused(answer('<tptz:Preset><tt:Name>无编号</tt:Name></tptz:Preset>'));
    refused(answer('<tptz:Preset token="1 OR 1=1"><tt:Name>x</tt:Name></tptz:Preset>'));
    expect(refused(answer('<tptz:Preset token="2"/><tptz:Preset token="2"/>')).message).toMatch(/重复/);
    refused(answer('<tptz:Preset>1</tptz:Preset>'));
    refused(answer('<tptz:Preset token="1"><tt:Name><tt:A>x</tt:A></tt:Name></tptz:Preset>'));
    expect(refused(answer('<tptz:Preset token="1"/>'.repeat(513))).message).toMatch(/过多/);
    refused(env('<tptz:GotoPresetResponse/>'));
    refused('not xml at all');
  });

  it('a SOAP fault is reported as the device refusing, with its subcode', () => {
    const xml = env('<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NoProfile</s:Value></s:Subcode></s:Code><s:Reason><s:Text>no</s:Text></s:Reason></s:Fault>');
    expect(() => parsePresets(xml)).toThrow(expect.objectContaining({ kind: 'fault', subcode: 'NoProfile' }) as Error);
  });
});
