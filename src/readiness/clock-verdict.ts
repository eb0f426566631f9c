// The clock verdict (R-PRE-6): |offset| ≤ 1 s pass, ≤ 3 s warn, beyond fail; no report is a warn.
// The offset is what the camera says (RTCP sender report or ONVIF GetSystemDateAndTime). Pure.
import type { Judgement } from './profile.ts';

export const CLOCK_RULE = '|偏差| ≤1 秒 合格, ≤3 秒 警告 (RTCP SR / ONVIF)';

export function judgeClock(offsetMs: number | undefined, source: string): Judgement {
  if (offsetMs === undefined) return { verdict: 'warn', value: '未获取 (not reported)', rule: CLOCK_RULE, reason: '摄像机未报告时间 (no RTCP sender report)' };
  const abs = Math.abs(offsetMs);
  const value = `${offsetMs >= 0 ? '+' : ''}${(offsetMs / 1000).toFixed(2)} 秒 (${source})`;
  if (abs <= 1000) return { verdict: 'pass', value, rule: CLOCK_RULE, reason: null };
  const reason = `摄像机时钟偏差 ${(offsetMs / 1000).toFixed(1)} 秒，需校准为北京时间 (camera clock is off)`;
  return { verdict: abs <= 3000 ? 'warn' : 'fail', value, rule: CLOCK_RULE, reason };
}

