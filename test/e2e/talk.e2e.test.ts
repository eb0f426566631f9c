// 喊话 from the console (issue 15, R-FN-3): in Chromium with its fake microphone (a beeping tone),
// the operator presses 喊话 on a wall tile; the voice goes browser → WebRTC (G.711, no
// transcoding) → the server → the camera's ONVIF RTSP back channel, and the simulated camera's
// speaker hears it (packets, a tone, a level). 结束喊话 closes the back channel. A camera without a
// speaker is refused with 该摄像机没有扬声器 on the tile. Start, end and the refusal are audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { closeAll, pageApi, startWithBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { ADMIN_PASSWORD, startTestServer } from './helpers/server.ts';
import { beepsHeard, FAKE_MIC_HZ, loginInUi, postTalk, pressTalk } from './helpers/talk.ts';
import type { AuditRecords } from './helpers/talk.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

describe('喊话 from a wall tile to the camera speaker (e2e, issue 15)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession | undefined;
  let sim: Simulator;

  beforeAll(async () => {
    ensureWebBuilt();
    sim = await startSimulator({ cameras: [{ id: 'talk-1', audio: 'pcma', speaker: true }, { id: 'mute-1', audio: 'pcma' }] });
    [server, b] = await startWithBrowser(() => startTestServer(), { fakeMedia: true });
  }, 400_000);
  afterAll(async () => {
    await closeAll(b);
    await server?.stop();
    await sim?.close();
  });

  it('R-FN-3: the microphone reaches the camera speaker as G.711 (tone and level heard); stopping closes the back channel; a camera without a speaker is refused in Chinese (audited)', async () => {
    const { page } = b!;
    page.setDefaultTimeout(20_000);
    await loginInUi(page, server.baseUrl, ADMIN_PASSWORD);
    const tree = await pageApi<{ nodes: Array<{ id: number; kind: string }> }>(page, 'GET', '/api/org/tree');
    const site = tree.nodes.find((n) => n.kind === 'site')!;
    const room = await pageApi<{ id: number }>(page, 'POST', '/api/rooms', { siteId: site.id, kind: 'other', name: '广播测试室', seats: 0 });
    const add = (name: string, simId: string) => pageApi<{ id: number }>(page, 'POST', '/api/cameras', { roomId: room.id, name, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${simId}/main`, subStream: `/cam/${simId}/sub`, host: '127.0.0.1', port: sim.port });
    const loud = await add('有扬声器', 'talk-1');
    const mute = await add('无扬声器', 'mute-1');

    expect(sim.speaker('talk-1')!.sessions).toBe(0);
    const { button, state, text } = await pressTalk(page, server.baseUrl, loud.id);
    expect([state, text]).toEqual(['on', '喊话中']);
    // The simulator's speaker: one back-channel session, G.711 packets played, the fake microphone's beep heard.
    await expect.poll(() => sim.speaker('talk-1')!.packets, { timeout: 20_000 }).toBeGreaterThan(100);
    const heard = sim.speaker('talk-1', 4000)!;
    expect(heard.sessions).toBe(1);
    expect(heard.wrongPayloadType).toBe(0);
    expect(heard.malformed).toBe(0);
    expect(heard.maxDb!).toBeGreaterThan(-30);
    // The fake microphone beeps briefly a few times a second: look for a beep in 100 ms windows.
    const tones = await beepsHeard(sim, 'talk-1');
    console.log(`tones heard in 100 ms windows: ${tones.join(', ')} Hz`);
    expect(tones.length).toBeGreaterThan(0);
    // Chromium's fake microphone beeps at 400 Hz; windows catching only a beep's edge read lower.
    expect(tones.some((hz) => Math.abs(hz - FAKE_MIC_HZ) < 20)).toBe(true);
    console.log(`speaker heard: ${heard.packets} packets, ${heard.bytes} bytes, lost ${heard.lost}, mean ${heard.meanDb} dBFS, max ${heard.maxDb} dBFS, tone over 4 s ${heard.toneHz} Hz`);
    const stats = await pageApi<{ talks: number }>(page, 'GET', '/api/live/stats');
    expect(stats.talks).toBe(1);
    await page.screenshot({ path: '/tmp/talk-on.png' });

    // One talk per camera: a second one (another tab, another operator) is refused while this runs.
    const second = await postTalk(page, loud.id);
    expect(second.status).toBe(409);
    expect(second.body.message).toContain('该摄像机正在喊话中');

    // 结束喊话: the back channel closes, nothing more is played.
    await button.click();
    expect(await button.getAttribute('data-talk')).toBe('off');
    await expect.poll(() => sim.speaker('talk-1')!.sessions, { timeout: 10_000 }).toBe(0);
    await expect.poll(async () => (await pageApi<{ talks: number }>(page, 'GET', '/api/live/stats')).talks, { timeout: 10_000 }).toBe(0);
    const after = sim.speaker('talk-1')!.packets;
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.speaker('talk-1')!.packets).toBe(after);

    // A camera without a speaker: refused, the reason in Chinese on the tile.
    const refused = await pressTalk(page, server.baseUrl, mute.id);
    expect([refused.state, refused.text]).toEqual(['refused', '该摄像机没有扬声器']);
    await page.screenshot({ path: '/tmp/talk-refused.png' });
    // A lower platform's channel on a node without GB/T 28181 configured: there is no way down, said so
    // (with the cascade, test/cascade/voice-to-lower.e2e.test.ts talks through it).
    const lower = await pageApi<{ id: number }>(page, 'POST', '/api/cameras', { roomId: room.id, name: '下级通道', position: 'rear', sourceKind: 'gb28181', mainStream: '32010600001310009999', subStream: '' });
    const toLower = await postTalk(page, lower.id);
    expect(toLower.status).toBe(409);
    expect(toLower.body.message).toMatch(/^本节点未配置国标级联 \(/);

    const talks = await pageApi<AuditRecords>(page, 'GET', '/api/audit?action=video.talk');
    expect(talks.records.some((r) => r.objectId === String(loud.id) && r.outcome === 'ok')).toBe(true);
    expect(talks.records.some((r) => r.objectId === String(mute.id) && r.outcome === 'denied')).toBe(true);
    const ends = await pageApi<AuditRecords>(page, 'GET', '/api/audit?action=video.talk.end');
    const end = ends.records.find((r) => r.objectId === String(loud.id))!;
    expect(end.detail.packets).toBeGreaterThan(100);
    expect(end.detail.durationMs).toBeGreaterThan(1000);
  }, 180_000);
});
