// The clock check against Beijing time (R-PRE-6): a camera is judged against this node's SNTP
// time source when the node knows its own offset, and a node that is itself off says so.
import { describe, expect, it } from 'vitest';
import { CST_LABEL_WINDOW_MS, CST_MS, judgeClock, judgeRtspDate, readsAsBeijingLabelledGmt, withNodeClock } from './clock-verdict.ts';

describe('clock verdict with the node clock (R-PRE-6)', () => {
  it('without a time source the camera is judged against the node, as before', () => {
    expect(judgeClock(500, 'RTCP SR')).toMatchObject({ verdict: 'pass', value: '+0.50 秒 (RTCP SR)' });
    expect(judgeClock(5000, 'RTCP SR')).toMatchObject({ verdict: 'fail' });
    expect(judgeClock(undefined, 'RTCP SR')).toMatchObject({ verdict: 'warn', value: '未获取 (not reported)' });
  });

  it('a camera on Beijing time passes although the node runs 4.5 s fast; the node is named as the fault', () => {
    // The node is 4.5 s ahead of the NTP server (SNTP offset = server − node = −4500 ms), so a
    // camera that is right measures −4.5 s against the node.
    const j = judgeClock(-4500, 'RTCP SR', { offsetMs: -4500, server: 'ntp.exam.local' });
    expect(j.value).toBe('+0.00 秒 (RTCP SR，按 ntp.exam.local 校正本机 +4.50 秒)');
    expect(j.verdict).toBe('warn');
    expect(j.reason).toContain('本机时钟与时间源 ntp.exam.local 相差 +4.5 秒');
  });

  it('a camera that agrees with a wrong node fails once the node is corrected', () => {
    const j = judgeClock(0, 'RTCP SR', { offsetMs: 6000, server: 'ntp.exam.local' });
    expect(j.verdict).toBe('fail');
    expect(j.value).toMatch(/^-6\.00 秒/);
    expect(j.reason).toContain('摄像机时钟偏差 -6.0 秒');
    expect(j.reason).toContain('本机时钟');
  });

  it('a node within 1 s of its source changes only the value, not the verdict', () => {
    const j = judgeClock(300, 'RTCP SR', { offsetMs: 200, server: 'ntp' });
    expect(j).toMatchObject({ verdict: 'pass', reason: null, value: '+0.10 秒 (RTCP SR，按 ntp 校正本机 -0.20 秒)' });
    // An ONVIF verdict (already judged) keeps its own verdict when the node is fine, and is at
    // least a warning when it is not; a fail stays a fail.
    const ok = { verdict: 'pass' as const, value: 'x', rule: 'r', reason: null };
    expect(withNodeClock(ok, { offsetMs: 900, server: 'ntp' })).toBe(ok);
    expect(withNodeClock(ok, { offsetMs: 1500, server: 'ntp' }).verdict).toBe('warn');
    expect(withNodeClock({ ...ok, verdict: 'fail' }, { offsetMs: 1500, server: 'ntp' }).verdict).toBe('fail');
  });
});

describe('clock verdict from RTSP Date headers (R-PRE-6)', () => {
  const stated = (offsetMs: number, uncertaintyMs = 500) => ({ offsetMs, uncertaintyMs, samples: 5, atMs: 0 });

  it('judges the offset the replies state, with their ± in the value', () => {
    expect(judgeRtspDate(stated(400))).toMatchObject({ verdict: 'pass', value: '+0.40 秒 (RTSP Date ±0.50 秒，5 次应答)' });
    expect(judgeRtspDate(stated(-2400, 60))).toMatchObject({ verdict: 'warn', value: '-2.40 秒 (RTSP Date ±0.06 秒，5 次应答)' });
    expect(judgeRtspDate(stated(-7300)).verdict).toBe('fail');
    expect(judgeRtspDate(stated(-7300)).reason).toContain('摄像机时钟偏差 -7.3 秒');
  });

  it('a Date in Beijing time labelled GMT is read as such and said so; a camera 8 h 20 min off still fails', () => {
    const j = judgeRtspDate(stated(8 * 3_600_000 + 600));
    expect(j.verdict).toBe('pass');
    expect(j.value).toBe('+0.60 秒 (RTSP Date ±0.50 秒，5 次应答，北京时间标作 GMT (local time labelled GMT))');
    expect(judgeRtspDate(stated(8 * 3_600_000 + 20 * 60_000))).toMatchObject({ verdict: 'fail', value: expect.stringMatching(/^\+29999\.99 秒|^\+30000\.00 秒/) });
  });

  it('the Beijing-labelled-GMT reading holds up to 15 min either side of +8 h, inclusive, and not a millisecond beyond', () => {
    const W = CST_LABEL_WINDOW_MS;
    expect(W).toBe(15 * 60_000);
    for (const edge of [CST_MS + W, CST_MS - W]) expect(readsAsBeijingLabelledGmt(edge), String(edge)).toBe(true);
    for (const out of [CST_MS + W + 1, CST_MS - W - 1, 0, -CST_MS]) expect(readsAsBeijingLabelledGmt(out), String(out)).toBe(false);
    // Just inside, above +8 h: read as Beijing time → +900 s, a fail; value and reason both name the reading.
    const inAbove = judgeRtspDate(stated(CST_MS + W));
    expect(inAbove.verdict).toBe('fail');
    expect(inAbove.value).toBe('+900.00 秒 (RTSP Date ±0.50 秒，5 次应答，北京时间标作 GMT (local time labelled GMT))');
    expect(inAbove.reason).toContain('摄像机时钟偏差 900.0 秒');
    expect(inAbove.reason).toContain('标作 GMT 比本机快 29700.0 秒，按北京时间标作 GMT');
    // Just inside, below +8 h: −900 s, same reading said.
    const inBelow = judgeRtspDate(stated(CST_MS - W));
    expect(inBelow.value).toMatch(/^-900\.00 秒 \(.*北京时间标作 GMT/);
    expect(inBelow.reason).toContain('按北京时间标作 GMT');
    // Just outside either side: judged as stated, nothing said about Beijing time.
    for (const out of [CST_MS + W + 1000, CST_MS - W - 1000]) {
      const j = judgeRtspDate(stated(out));
      expect(j.verdict).toBe('fail');
      expect(j.value).toBe(`+${(out / 1000).toFixed(2)} 秒 (RTSP Date ±0.50 秒，5 次应答)`);
      expect(`${j.value} ${j.reason}`).not.toContain('北京时间标作');
    }
    // A pass under the reading keeps a null reason: the value alone says how it was read.
    expect(judgeRtspDate(stated(CST_MS - 400))).toMatchObject({ verdict: 'pass', reason: null, value: expect.stringContaining('北京时间标作 GMT') });
  });

  it('corrected by the node’s own time source like the other sources', () => {
    const j = judgeRtspDate(stated(-4500), { offsetMs: -4500, server: 'ntp' });
    expect(j.value).toMatch(/^\+0\.00 秒 \(RTSP Date/);
    expect(j.verdict).toBe('warn');
  });
});
