// The clock check against Beijing time (R-PRE-6): a camera is judged against this node's SNTP
// time source when the node knows its own offset, and a node that is itself off says so.
import { describe, expect, it } from 'vitest';
import { judgeClock, judgeRtspDate, withNodeClock } from './clock-verdict.ts';

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

  it('corrected by the node’s own time source like the other sources', () => {
    const j = judgeRtspDate(stated(-4500), { offsetMs: -4500, server: 'ntp' });
    expect(j.value).toMatch(/^\+0\.00 秒 \(RTSP Date/);
    expect(j.verdict).toBe('warn');
  });
});
