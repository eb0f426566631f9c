// Fuzz target of the ONVIF response parser (network input from cameras, issue 17): registered with
// the shared runner (src/media/fuzz/targets.ts); importing this module registers it. Any input may
// be refused, but only with OnvifError, and what is accepted is within bounds.
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { OnvifError, parseDeviceInformation, parseMediaXAddr, parsePresets, parseProfiles, parseSetSystemDateAndTime, parseSystemDateAndTime } from './parse.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const env = (body: string) => `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="x" xmlns:tt="y"><s:Body>${body}</s:Body></s:Envelope>`;

function expectOnvifError(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof OnvifError)) throw new FuzzInvariantError(`threw ${(err as Error).name}: ${(err as Error).message}`);
  }
}

registerFuzzTarget(
  'onvif-response',
  (input) => {
    const xml = Buffer.from(input).toString('utf8');
    expectOnvifError(() => {
      const t = parseSystemDateAndTime(xml);
      if (!Number.isFinite(t.utcMs) || t.tz.length > 64 || t.dateTimeType.length > 16) throw new FuzzInvariantError('date and time out of bounds');
    });
    expectOnvifError(() => {
      const d = parseDeviceInformation(xml);
      if (Object.values(d).some((v) => typeof v !== 'string' || v.length > 128)) throw new FuzzInvariantError('device information out of bounds');
    });
    expectOnvifError(() => parseSetSystemDateAndTime(xml));
    expectOnvifError(() => {
      const ps = parseProfiles(xml);
      if (ps.length > 32 || ps.some((p) => !(p.width > 0 && p.width <= 16384 && p.height > 0 && p.height <= 16384) || p.name.length > 64 || p.encoding.length > 16)) throw new FuzzInvariantError('profiles out of bounds');
    });
    expectOnvifError(() => {
      const ps = parsePresets(xml);
      if (ps.length > 512 || new Set(ps.map((p) => p.token)).size !== ps.length || ps.some((p) => !/^[\w.:-]{1,64}$/.test(p.token) || p.name.length > 64)) throw new FuzzInvariantError('presets out of bounds');
    });
    expectOnvifError(() => {
      const x = parseMediaXAddr(xml);
      if (x !== undefined && (x.length > 510 || !/^https?:\/\//.test(x))) throw new FuzzInvariantError('media address out of bounds');
    });
  },
  [
    env('<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>7</tt:Hour><tt:Minute>50</tt:Minute><tt:Second>45</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>12</tt:Month><tt:Day>5</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'),
    env('<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer><tds:Model>DS-2CD2T47G2</tds:Model><tds:FirmwareVersion>V5.7.3</tds:FirmwareVersion><tds:SerialNumber>DS-1</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>'),
    env('<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason><s:Text>no</s:Text></s:Reason></s:Fault>'),
    env('<tds:SetSystemDateAndTimeResponse/>'),
    env('<trt:GetProfilesResponse><trt:Profiles token="P1"><tt:Name>main</tt:Name><tt:VideoEncoderConfiguration><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength></tt:H264></tt:VideoEncoderConfiguration></trt:Profiles><trt:Profiles token="P2"><tt:Name>audio only</tt:Name></trt:Profiles></trt:GetProfilesResponse>'),
    env('<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>http://192.168.1.64/onvif/Media</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>'),
    env('<tptz:GetPresetsResponse><tptz:Preset token="1"><tt:Name>讲台</tt:Name></tptz:Preset><tptz:Preset token="2"><tt:Name>后门</tt:Name></tptz:Preset></tptz:GetPresetsResponse>'),
    '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
  ].map(enc),
);
