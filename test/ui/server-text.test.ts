// The Chinese console shows the Chinese part of the server's "中文 (English)" reasons (the readiness
// reasons of R-PRE-3 / R-PRE-5 among them); English keeps the whole text; other texts are untouched.
import { describe, expect, it } from 'vitest';
import { serverText } from '../../web/src/serverText.ts';

describe('serverText', () => {
  it('drops the English tail of each reason in Chinese, keeps everything in English', () => {
    const reasons = '2 路考场摄像机参考画面未签字或需重签 (reference not signed)；1 项检查表未签字 (checklist items not signed)';
    expect(serverText(reasons, 'zh')).toBe('2 路考场摄像机参考画面未签字或需重签；1 项检查表未签字');
    expect(serverText(reasons, 'en')).toBe(reasons);
    expect(serverText('无参考画面 (no reference)', 'zh')).toBe('无参考画面');
  });

  it('leaves texts without an English tail alone: Chinese parentheses, numbers, a Latin-only text', () => {
    for (const t of ['上行带宽不足：4 路主码流需 8.0 Mbit/s，链路 4.0 Mbit/s', '平均 -20.5 dBFS (±1.0)', '南京市（玄武区）考点', 'camera offline: eof (server closed the connection)', 'H.265（hvc1）']) {
      expect(serverText(t, 'zh')).toBe(t);
    }
  });
});
