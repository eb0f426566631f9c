// 喊话 as an operator does it in the console, shared by the talk e2e tests (a local camera:
// test/e2e/talk.e2e.test.ts; a lower platform's channel through the cascade:
// test/cascade/voice-to-lower.e2e.test.ts): log in, open a camera full-size on the wall, press
// 喊话 on its tile, and listen at the simulated camera's speaker for Chromium's fake microphone.
import type { Locator, Page } from 'playwright-core';
import type { Simulator } from '../../../src/sim/index.ts';

/** Chromium's fake microphone beeps at this pitch, briefly, a few times a second. */
export const FAKE_MIC_HZ = 400;

/** Logs in through the login form as `username` and waits for the console. */
export async function loginInUi(page: Page, baseUrl: string, password: string, username = 'admin'): Promise<void> {
  await page.goto(baseUrl);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('header-user').waitFor();
}

/** The wall with one camera full-size: its tile and the tile's 喊话 button. */
export async function openTile(page: Page, baseUrl: string, cameraId: number): Promise<{ tile: Locator; button: Locator }> {
  await page.goto(`${baseUrl}/#/wall`);
  await page.getByTestId('wall-grid').waitFor();
  await page.goto(`${baseUrl}/#/wall?cameraId=${cameraId}`);
  const tile = page.getByTestId('wall-full');
  return { tile, button: tile.getByTestId('tile-talk') };
}

/**
 * Presses 喊话 on the camera's tile and waits for it to settle: 'on' (talking, the state says
 * 喊话中) or 'refused' (the state says why, in Chinese). Returns the state and its text.
 */
export async function pressTalk(page: Page, baseUrl: string, cameraId: number, timeoutMs = 20_000): Promise<{ tile: Locator; button: Locator; state: string; text: string }> {
  const { tile, button } = await openTile(page, baseUrl, cameraId);
  if ((await button.getAttribute('data-talk')) !== 'off') throw new Error('the tile is already talking');
  await button.click();
  const end = Date.now() + timeoutMs;
  let state = await button.getAttribute('data-talk');
  while ((state === 'off' || state === 'starting') && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    state = await button.getAttribute('data-talk');
  }
  const text = state === 'off' ? '' : await tile.getByTestId('tile-talk-state').innerText();
  return { tile, button, state: state ?? '', text };
}

/**
 * Pitches heard at the simulated camera's speaker in 100 ms windows (the fake microphone's beeps
 * are short: a 1 s window averages them with silence). Up to `want` beeps, looking for about 3 s.
 */
export async function beepsHeard(sim: Simulator, simCameraId: string, want = 5): Promise<number[]> {
  const tones: number[] = [];
  for (let i = 0; i < 40 && tones.length < want; i++) {
    const r = sim.speaker(simCameraId, 100);
    if (r?.toneHz !== undefined && (r.maxDb ?? -100) > -30) tones.push(r.toneHz);
    await new Promise((res) => setTimeout(res, 75));
  }
  return tones;
}

/** A talk offer posted from the page as its user (a sendonly audio offer; no microphone needed to be refused). */
export function postTalk(page: Page, cameraId: number): Promise<{ status: number; body: { message: string } }> {
  return page.evaluate(async (cameraId) => {
    const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
    const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken }, body: JSON.stringify(body) });
    const { token } = (await (await post('/api/live/token', { cameraIds: [cameraId], stream: 'main' })).json()) as { token: string };
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await post('/api/live/talk', { token, cameraId, sdp: pc.localDescription?.sdp });
    pc.close();
    return { status: res.status, body: (await res.json()) as { message: string } };
  }, cameraId);
}

export interface AuditRecords { records: Array<{ action: string; objectId: string; outcome: string; detail: Record<string, unknown> }> }
