// Texts of issue 14 items 7, 8 and 10 (export as .zip, wall tile snapshot / audio / exam status,
// the add-camera dialog), 简体中文 first, English second; kept apart from the shared dictionaries.
import { useMemo } from 'react';
import { useI18n } from './i18n.ts';
import type { Lang } from './i18n.ts';

const zh = {
  snapshot: '抓图', snapshotSaved: '已保存抓图 {name}', snapshotNone: '还没有画面，无法抓图',
  audioOn: '打开声音', audioOff: '关闭声音', audioNone: '该摄像机没有音频', audioFailed: '声音打开失败：{why}', audioAac: '该摄像机音频为 AAC，控制台暂只能播放 G.711',
  talk: '喊话', talkStop: '结束喊话', talkOn: '喊话中', talkStarting: '正在接通…', talkFailed: '喊话失败：{why}', talkNoMic: '无法使用麦克风：{why}', talkEnded: '喊话已结束',
  exam_running: '考试中', exam_sealed: '已封门', exam_idle: '空闲', examTip: '{exam} · {subject}  {from}–{to}',
  brandTemplate: '品牌模板', brandChannel: '通道号', brandApply: '填入码流地址', brand_hikvision: '海康威视', brand_dahua: '大华', brand_uniview: '宇视',
  brandHint: '按品牌与通道号填入主、子码流路径；设备地址、用户名、密码填在下方',
  testConnect: '测试连接', testOk: '连接成功', testFailed: '连接失败', testFacts: '{codec} · {w}×{h} · {fps} · {audio}', testNoAudio: '无音频', testFpsUnknown: '帧率未知',
  testNeedStream: '请先填写主码流地址', mainStreamExtra: '必填：主码流路径，或完整的 rtsp:// 地址',
  savedContinue: '已保存“{name}”，仍在本房间。', continueAdding: '继续添加', finish: '完成',
  exportFormat: '下载格式', exportZipHint: '.zip 适合 Windows 直接打开；.tar 适合 Linux，超过 4 GiB 请用 .tar',
};
export type TileKey = keyof typeof zh;
const en: Record<TileKey, string> = {
  snapshot: 'Snapshot', snapshotSaved: 'Snapshot saved as {name}', snapshotNone: 'No picture yet to capture',
  audioOn: 'Sound on', audioOff: 'Sound off', audioNone: 'This camera has no audio', audioFailed: 'Could not play sound: {why}', audioAac: 'This camera sends AAC audio; the console plays G.711 only for now',
  talk: 'Talk', talkStop: 'Stop talking', talkOn: 'Talking', talkStarting: 'Connecting…', talkFailed: 'Talk failed: {why}', talkNoMic: 'Microphone unavailable: {why}', talkEnded: 'Talk ended',
  exam_running: 'Exam on', exam_sealed: 'Sealed', exam_idle: 'Idle', examTip: '{exam} · {subject}  {from}–{to}',
  brandTemplate: 'Brand template', brandChannel: 'Channel', brandApply: 'Fill stream paths', brand_hikvision: 'Hikvision', brand_dahua: 'Dahua', brand_uniview: 'Uniview',
  brandHint: 'Fills the main and sub stream paths by brand and channel; host, user and password go below',
  testConnect: 'Test connection', testOk: 'Connected', testFailed: 'Connection failed', testFacts: '{codec} · {w}×{h} · {fps} · {audio}', testNoAudio: 'no audio', testFpsUnknown: 'fps unknown',
  testNeedStream: 'Fill in the main stream first', mainStreamExtra: 'Required: the main stream path, or a full rtsp:// URL',
  savedContinue: '“{name}” saved; still in this room.', continueAdding: 'Add another', finish: 'Done',
  exportFormat: 'Format', exportZipHint: '.zip opens on Windows as is; .tar suits Linux; use .tar beyond 4 GiB',
};
const dicts: Record<Lang, Record<TileKey, string>> = { zh, en };

export type TText = (key: TileKey, vars?: Record<string, string | number>) => string;

export function tileText(lang: Lang): TText {
  const dict = dicts[lang];
  return (key, vars) => {
    let s = dict[key];
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    return s;
  };
}

export function useTileText(): { tt: TText; lang: Lang } {
  const { lang } = useI18n();
  return useMemo(() => ({ tt: tileText(lang), lang }), [lang]);
}
