// ONVIF client against the simulated cameras' device service (issue 17, R-PRE-6): the clock read
// without authentication, device facts and the clock set with WS-UsernameToken digest, refusals
// reported as faults with their subcode, the camera's RTCP clock following the set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../sim/simulator.ts';
import type { Simulator } from '../sim/simulator.ts';
import { startOnvifSim } from '../sim/onvif.ts';
import type { OnvifSim } from '../sim/onvif.ts';
import { OnvifClient, OnvifError } from './client.ts';
import { passwordDigest } from './soap.ts';
import { deviceServiceUrl, discoverCamera } from './discover.ts';

describe('ONVIF device service client (R-PRE-6)', () => {
  let sim: Simulator;
  let onvif: OnvifSim;
  const auth = { username: 'admin', password: 'Cam-Pass-1' };

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'skewed', audio: 'none', clockOffsetMs: 37_000 }, { id: 'locked', audio: 'none', clockOffsetMs: -600_000 }] });
    onvif = await startOnvifSim(sim, { auth });
  });
  afterAll(async () => {
    await onvif.close();
    await sim.close();
  });

  it('PasswordDigest is Base64(SHA-1(nonce + created + password)) (ONVIF Application Programmers Guide example)', () => {
    // The worked example of the ONVIF Application Programmer's Guide (WG-APG), section on user authentication.
    expect(passwordDigest(Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64'), '2010-09-16T07:50:45Z', 'userpassword')).toBe('tuOSpGlFlIXsozq4HFNeeGeFLEI=');
  });

  it('reads the clock offset, device facts; sets the clock to Beijing time with digest auth', async () => {
    const c = new OnvifClient({ url: onvif.url('skewed'), ...auth });
    const before = await c.getSystemDateAndTime();
    expect(Math.abs(before.offsetMs - 37_000)).toBeLessThan(1500);
    expect(before.tz).toBe('CST-8');
    expect(await c.getDeviceInformation()).toMatchObject({ manufacturer: 'XUNCHA-SIM', model: 'SIM-IPC-2T', firmwareVersion: 'V5.7.3 build 250101', serialNumber: 'skewed' });
    await c.setSystemDateAndTime(Date.now());
    const after = await c.getSystemDateAndTime();
    expect(Math.abs(after.offsetMs)).toBeLessThan(1500);
    // The camera's own clock moved: its RTCP sender reports use the same offset.
    expect(Math.abs(sim.stats('skewed')!.clockOffsetMs)).toBeLessThan(1000);
  });

  it('a wrong password and a refused time change are faults with their subcode; garbage is a parse error', async () => {
    await expect(new OnvifClient({ url: onvif.url('skewed'), username: 'admin', password: 'wrong' }).getDeviceInformation()).rejects.toMatchObject({ kind: 'fault', subcode: 'NotAuthorized' });
    onvif.refuseTimeSet('locked', true);
    const c = new OnvifClient({ url: onvif.url('locked'), ...auth });
    // Created follows the camera's clock (10 min behind): the token is accepted, the set refused.
    await c.getSystemDateAndTime();
    await expect(c.getDeviceInformation()).resolves.toMatchObject({ serialNumber: 'locked' });
    const err = await c.setSystemDateAndTime(Date.now()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnvifError);
    expect(err).toMatchObject({ kind: 'fault', subcode: 'OperationProhibited' });
    expect(sim.stats('locked')!.clockOffsetMs).toBe(-600_000);
    await expect(new OnvifClient({ url: 'http://127.0.0.1:1/onvif/device_service', timeoutMs: 2000 }).getSystemDateAndTime()).rejects.toBeInstanceOf(OnvifError);
  });

  it('a truncated GetDeviceInformation answer (unbalanced XML) is a parse error, not half-read facts (issue 19 R3)', async () => {
    onvif.setDeviceInformation('skewed', '<tds:Manufacturer>ACME</tds:Manufacturer><tds:Model>IPC</tds:Mod');
    const c = new OnvifClient({ url: onvif.url('skewed'), ...auth });
    await c.getSystemDateAndTime();
    await expect(c.getDeviceInformation()).rejects.toMatchObject({ kind: 'parse' });
    onvif.setDeviceInformation('skewed', undefined);
    await expect(c.getDeviceInformation()).resolves.toMatchObject({ serialNumber: 'skewed' });
  });

  it('GetProfiles: the media service named by GetCapabilities (its path, on the host we reach), profiles main stream first (R-CITY-4)', async () => {
    const c = new OnvifClient({ url: onvif.url('skewed'), ...auth });
    // The camera names its inner NAT address; the client keeps only the path.
    expect(await c.getMediaUrl()).toBe(onvif.url('skewed').replace('device_service', 'media_service'));
    expect(await c.getProfiles()).toEqual([
      { token: 'Profile_1', name: 'mainStream', encoding: 'H264', width: 1280, height: 720, fps: 25, bitrateKbps: 2000, govLength: 50 },
      { token: 'Profile_2', name: 'subStream', encoding: 'H264', width: 640, height: 360, fps: 25, bitrateKbps: 512, govLength: 50 },
    ]);
    onvif.setProfiles('skewed', [{ name: 'main', encoding: 'H265', width: 1920, height: 1080, fps: 20, bitrateKbps: 4096, govLength: 40 }]);
    expect((await c.getProfiles())[0]).toMatchObject({ encoding: 'H265', width: 1920, govLength: 40 });
    onvif.setProfiles('skewed', undefined);
    await expect(new OnvifClient({ url: onvif.url('skewed'), username: 'admin', password: 'wrong' }).getProfiles()).rejects.toMatchObject({ kind: 'fault', subcode: 'NotAuthorized' });
  });
  it('GetStreamUri: each profile token gives its RTSP address, the inner NAT host replaced by the one we reach (issue 17)', async () => {
    const c = new OnvifClient({ url: onvif.url('skewed'), ...auth });
    const tokens = (await c.getProfiles()).map((p) => p.token!);
    expect(tokens).toEqual(['Profile_1', 'Profile_2']);
    expect(await c.getStreamUri(tokens[0])).toBe(`rtsp://127.0.0.1:${sim.port}/cam/skewed/main`);
    expect(await c.getStreamUri(tokens[1])).toBe(`rtsp://127.0.0.1:${sim.port}/cam/skewed/sub`);
    await expect(c.getStreamUri('Profile_9')).rejects.toMatchObject({ kind: 'fault', subcode: 'NoProfile' });
  });

  it('PTZ: ContinuousMove, Stop, GotoPreset, SetPreset and RemovePreset reach the PTZ service GetCapabilities names; wrong password refused (R-DIS-2 over ONVIF)', async () => {
    const c = new OnvifClient({ url: onvif.url('skewed'), ...auth });
    await c.continuousMove('Profile_1', { pan: -0.5, tilt: 0.25, zoom: 0 });
    expect(onvif.ptz('skewed')).toMatchObject({ moving: true, pan: -0.5, tilt: 0.25, zoom: 0, profileToken: 'Profile_1' });
    await c.ptzStop('Profile_1');
    expect(onvif.ptz('skewed')).toMatchObject({ moving: false, pan: 0, tilt: 0 });
    await c.gotoPreset('Profile_1', '3');
    expect(onvif.ptz('skewed').preset).toBe('3');
    // Velocities beyond the generic space are clamped to ±1, never sent as they are.
    await c.continuousMove('Profile_1', { pan: 7, tilt: -9, zoom: Number.NaN });
    expect(onvif.ptz('skewed')).toMatchObject({ pan: 1, tilt: -1, zoom: 0 });
    // SetPreset stores preset 4 under its token, RemovePreset removes it; a token the camera has no slot for is its fault.
    await c.setPreset('Profile_1', '4', '预置位4');
    expect(onvif.ptz('skewed').stored).toEqual({ '4': '预置位4' });
    // GetPresets lists what the camera holds (issue 15 PresetQuery), in slot order, and forgets a removed one.
    await c.setPreset('Profile_1', '12', '后门');
    expect(await c.getPresets('Profile_1')).toEqual([{ token: '4', name: '预置位4' }, { token: '12', name: '后门' }]);
    await c.removePreset('Profile_1', '12');
    await c.removePreset('Profile_1', '4');
    expect(onvif.ptz('skewed').stored).toEqual({});
    expect(await c.getPresets('Profile_1')).toEqual([]);
    await expect(c.setPreset('Profile_1', '0', 'x')).rejects.toMatchObject({ kind: 'fault', subcode: 'NoToken' });
    const bad = new OnvifClient({ url: onvif.url('skewed'), username: 'admin', password: 'wrong' });
    await expect(bad.ptzStop('Profile_1')).rejects.toMatchObject({ kind: 'fault', subcode: 'NotAuthorized' });
  });

  it('discovers a camera from address + user + password: facts, profiles with tokens, stream URIs (issue 17)', async () => {
    expect(deviceServiceUrl('10.0.0.9')).toBe('http://10.0.0.9/onvif/device_service');
    expect(deviceServiceUrl(' 10.0.0.9:8080 ')).toBe('http://10.0.0.9:8080/onvif/device_service');
    expect(() => deviceServiceUrl('10.0.0.9/evil path')).toThrow(OnvifError);
    const d = await discoverCamera(onvif.url('locked'), auth.username, auth.password);
    expect(d.deviceUrl).toBe(onvif.url('locked'));
    expect(d.facts?.serialNumber).toBe('locked');
    expect(d.profiles.map((p) => [p.token, p.width, p.streamUri])).toEqual([
      ['Profile_1', 1280, `rtsp://127.0.0.1:${sim.port}/cam/locked/main`],
      ['Profile_2', 640, `rtsp://127.0.0.1:${sim.port}/cam/locked/sub`],
    ]);
    await expect(discoverCamera(onvif.url('locked'), 'admin', 'wrong')).rejects.toMatchObject({ subcode: 'NotAuthorized' });
  });
});
