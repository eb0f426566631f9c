// The 级联 page's readings of raw cascade data (web/src/pages/cascade/cascadeFormat.ts): the SIP
// layer's English errors in Chinese, alarm kinds an operator filters by (R-FLT-1), and the remote
// catalog as a tree by ParentID (R-FN-3), including the malformed trees a lower may send.
import { describe, expect, it } from 'vitest';
import { alarmCategory, alarmMethodLabel, channelTree, groupKeys, gbVersionLabel, infoLines, infoSummary, lowerOfflineZh, upperErrorZh } from '../../web/src/pages/cascade/cascadeFormat.ts';
import type { RemoteChannel } from '../../web/src/pages/cascade/cascadeApi.ts';

const ch = (deviceId: string, parentId: string | null, kind: string, name = deviceId): RemoteChannel => ({ deviceId, parentId, name, kind, status: kind === 'channel' ? 'ON' : null, civilCode: null, manufacturer: null, model: null, cameraId: null });

describe('cascade page formatting', () => {
  it('reads the upper link errors of src/cascade/lower-link.ts in Chinese', () => {
    expect(upperErrorZh('REGISTER answered 401 Unauthorized')).toContain('认证失败');
    expect(upperErrorZh('REGISTER answered 403 Forbidden')).toContain('上级未登记本节点');
    expect(upperErrorZh('REGISTER answered 503 Service Unavailable')).toBe('上级平台拒绝注册（SIP 503 Service Unavailable）');
    expect(upperErrorZh('REGISTER: REGISTER timed out after 32000 ms')).toContain('超时');
    expect(upperErrorZh('REGISTER: connect ECONNREFUSED 127.0.0.1:5060')).toContain('连接被拒绝');
    expect(upperErrorZh('keepalive answered 404')).toContain('SIP 404');
    expect(upperErrorZh('something new')).toBe('与上级平台通信失败');
    expect(lowerOfflineZh('下级平台离线 lower platform offline: no keepalive for 31 s (3 missed)')).toBe('31 秒未收到心跳（连续 3 次未到）');
    expect(lowerOfflineZh('下级平台离线 lower platform offline: unregistered (Expires: 0)')).toBe('下级平台已注销');
  });

  it('R-FLT-1: sorts alarms into video loss, recording gap, lower offline and others', () => {
    const lower = '32010600002000000001';
    expect(alarmCategory({ method: 2, alarmType: 1, description: '视频丢失 camera offline: eof', deviceId: '32010600001310000001' }, lower)).toBe('videoLoss');
    expect(alarmCategory({ method: 7, alarmType: null, description: '录像中断 recording gap from …', deviceId: '32010600001310000001' }, lower)).toBe('recordGap');
    expect(alarmCategory({ method: 6, alarmType: null, description: '下级平台离线', deviceId: lower }, lower)).toBe('lowerOffline');
    expect(alarmCategory({ method: 6, alarmType: 1, description: null, deviceId: '32010600001310000001' }, lower)).toBe('other');
    expect(alarmMethodLabel(6, 1)).toBe('设备故障报警 · 存储设备磁盘故障报警');
    expect(alarmMethodLabel(2, 1, 'en')).toBe('Device alarm · video loss');
    expect(alarmMethodLabel(9, null)).toBe('报警方式 9');
    expect(gbVersionLabel('3.0')).toBe('GB/T 28181-2022（3.0）');
    expect(gbVersionLabel('2.0')).toBe('GB/T 28181-2016（2.0）');
  });

  it('R-FN-3: builds the channel tree by ParentID; unknown parents are roots; loops are cut, nothing is lost', () => {
    const site = '32010600002160000001';
    const room = '32010600002160000002';
    const tree = channelTree([
      ch('32010600001310000002', room, 'channel', '后置'), ch('32010600001310000001', room, 'channel', '前置'), ch(room, site, 'group', '第01考场'),
      ch(site, '32010600002000000001', 'group', '考点'), ch('A0000000000000000001', 'A0000000000000000002', 'group'), ch('A0000000000000000002', 'A0000000000000000001', 'group'),
      ch('32010600001310000009', '32010600001310000009', 'channel', '自指'),
    ]);
    const count = (list: typeof tree): number => list.reduce((n, x) => n + 1 + count(x.children ?? []), 0);
    expect(count(tree)).toBe(7);
    const s = tree.find((n) => n.deviceId === site)!;
    expect(s.children?.[0].deviceId).toBe(room);
    expect(s.children?.[0].children?.map((x) => x.name)).toEqual(['后置', '前置']); // by name in pinyin order (hou < qian)
    expect(tree[tree.length - 1].kind).toBe('channel'); // groups first
    expect(groupKeys(tree)).toEqual(expect.arrayContaining([site, room]));
  });

  it('R-FN-3: reads a remote camera\'s catalog <Info> (2016/2022 codes) in Chinese and English, raw where the standard gives no code table', () => {
    const info = { PTZType: '1/2', RoomType: '2', Resolution: '6', DownloadSpeed: '1/2/4', MAC: '00-11-22-AA-BB-CC', PointType: '9' };
    expect(infoSummary(info)).toBe('球机 / 半球 · 室内 · 1080P');
    expect(infoSummary(info, 'en')).toBe('dome (PTZ) / half dome · indoor · 1080P');
    expect(infoSummary({ DownloadSpeed: '1/2' })).toBe('');
    expect(infoSummary(null)).toBe('');
    expect(infoLines(info)).toEqual(['摄像机类型: 球机 / 半球', '安装位置: 室内', '分辨率: 1080P', '下载倍速: 1/2/4', 'MAC: 00-11-22-AA-BB-CC', '点位类型: 其他点位']);
    expect(infoLines({ PTZType: '8' })).toEqual(['摄像机类型: 8']); // an unknown code is shown as sent
  });
});
