// Chinese names of the keys the server writes into an audit record's detail (issue 14 item 17: an
// inspector reads 时长 and 码流, not durationMs and stream). test/console/audit-labels.test.ts reads
// the keys from the server's `detail: { … }` literals, so a new key without a name fails there.
// Pure data: imported by the console and by the server's CSV export (src/audit/audit-views.ts).
export const DETAIL_KEYS: Record<string, string> = {
  // who and what
  name: '名称', username: '用户名', role: '角色', userId: '用户', ownerId: '所有者', requester: '申请人', createdBy: '创建人',
  decidedBy: '审批人', decidedByName: '审批人姓名', decidedAtMs: '审批时间', signerName: '签字人', lockedBy: '锁定原因',
  kind: '类型', code: '编码', gbCode: '国标编码', sipId: '国标编号', id: '编号', label: '名称', text: '内容', note: '意见',
  disposition: '处置意见', purpose: '用途', reason: '原因', cause: '原因', message: '说明', problem: '问题', problems: '问题',
  error: '错误', result: '结果', outcome: '结果', verdict: '结论', summary: '摘要', answer: '答复', state: '状态',
  previousState: '原状态', wasActive: '原为生效', mark: '标记', rule: '规则', requirement: '要求', for: '请求的操作',
  // where
  deciderNodeId: '审批节点', callId: '会话标识（Call-ID）', direction: '方向', codec: '编码', packets: '数据包数',
  orgNodeId: '机构', nodeId: '机构', parentId: '上级机构', siteId: '考点', site: '考点', sites: '考点', roomId: '房间',
  room: '考场', rooms: '房间', roomIds: '房间', camera: '摄像机', cameras: '摄像机', cameraId: '摄像机', cameraIds: '摄像机',
  examCamera: '考试时段摄像机', channelId: '通道', deviceId: '设备', devices: '设备数', deviceClass: '设备类别',
  workstationId: '值班终端', ip: 'IP 地址', position: '位置', seats: '座位数', lower: '下级', upperId: '上级', toLowerId: '转发至下级',
  originCode: '来源机构编码', origin: '来源', remote: '来自其他级', via: '途径', sourceId: '来源编号', targetId: '目标编号',
  target: '目标', to: '至', from: '自', other: '原始命令', expectedChannels: '应有通道数',
  // when and how long
  atMs: '时间', fromMs: '开始', toMs: '结束', startMs: '开始', endMs: '结束', startedAtMs: '开始时间', durationMs: '时长',
  deadlineMs: '截止时间', lockedUntilMs: '锁定至', healthySinceMs: '恢复正常时间', pictureAtMs: '画面时间',
  periodFromMs: '周期开始', periodToMs: '周期结束', period: '周期', offsetBeforeMs: '校时前偏差', offsetAfterMs: '校时后偏差',
  timeZone: '时区', days: '天数', retentionDays: '保存天数', intervalS: '间隔(秒)', late: '逾期', windows: '时段',
  // exams and sessions
  examId: '考试', sessionId: '场次', sessionIds: '场次', session: '会话', subject: '科目', sessionsRecomputed: '重新计算的场次',
  stopped: '已停止录像', campaignId: '检测批次', itemId: '检查项', checks: '检查项目', contacts: '联系人',
  // video, recordings, exports
  stream: '码流', streams: '路数', transport: '传输方式', watched: '观看时段', sent: '已发送', ranges: '时段',
  videoCodec: '视频编码', width: '宽度', height: '高度', url: '地址', exportId: '导出编号', file: '文件', fileName: '文件名',
  files: '文件数', relPath: '文件', paths: '路径', bytes: '字节数', freeBytes: '可用空间', thresholdBytes: '空间阈值',
  watermark: '水印', format: '格式', lines: '行数', rows: '行数', count: '数量', items: '项目', holdIds: '证据保全',
  incidentId: '事件', incidents: '事件数', tickets: '工单数', faultCount: '故障次数', checked: '已校验', failed: '失败',
  skippedOpen: '跳过正在写入的文件', scheduleId: '录像计划', recordingMode: '录像方式', locked: '已锁定',
  // settings and changes
  before: '修改前', after: '修改后', enabled: '启用', shared: '共享', layoutTiles: '画面数', sourceKind: '接入方式',
  networkSet: '已设网络配置', networkChanged: '网络配置已改', passwordChanged: '密码已改', credentialsMovedFromUrl: '凭据已移出地址',
  replacedEnabledFactor: '替换已启用的双因素', otherSessionsEnded: '结束其他会话数', seed: '初始数据', firstStart: '首次启动',
  filter: '查询条件', command: '命令', ptz: '云台', ptzCmd: '云台命令', presetNo: '预置位', approved: '已批准',
  approvedPresetChange: '批准的预置位变更', basicParam: '基本参数', otherTypes: '其他类型', overrideReasonGiven: '已说明越权理由',
  signatureVerified: '签名已验证', prevHash: '前一哈希', prevSeq: '前一序号', detail: '详情', capacityKbps: '上行带宽(kbit/s)',
  achievedKbps: '实测码率(kbit/s)', requiredKbps: '所需码率(kbit/s)', model: '型号', serial: '序列号', firmware: '固件版本',
  course: '培训课程', certificate: '证书', sha256: 'SHA-256', requestId: '申请编号', monitoringRoomId: '监控室', onDuty: '在岗人数',
  names: '人员', locks: '锁定数', heldOff: '暂缓原因', schedules: '录像计划数',
};

/** Values the server writes as codes, by key: 码流 main → 主码流 (the rest are shown as they are). */
export const DETAIL_VALUES: Record<string, Record<string, string>> = {
  // kind of an org node, a room, an exam or an alarm (the record's action says which)
  kind: {
    province: '省', city: '市', district: '区县', site: '考点', exam: '考场', lab: '机房考场', affairs: '考务室', secrecy: '试卷保密室',
    monitoring: '监控室', other: '其他', gaokao: '高考', postgrad: '研究生考试', self_study: '自学考试', adult: '成人高考',
    proficiency: '学业水平考试', recording_gap: '录像中断', camera_not_ready: '摄像机未就绪', ptz_refused: '云台操作被拒',
  },
  sourceKind: { rtsp: 'RTSP', onvif: 'ONVIF', gb28181: '国标级联' },
  stream: { main: '主码流', sub: '子码流' },
  transport: { ws: 'WebSocket', webrtc: 'WebRTC', mse: 'MSE' },
  result: { ok: '成功', failed: '失败' },
  format: { pdf: 'PDF', xlsx: 'Excel', csv: 'CSV', zip: 'ZIP', tar: 'TAR' },
  via: { cli: '命令行', upper: '上级平台', cascade: '国标级联' },
  origin: { timetable: '考试日程' },
};
