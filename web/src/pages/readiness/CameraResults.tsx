// Per-camera results of a campaign: thumbnail, verdict, each probe with value and rule, re-run of
// one camera or its room, and the reference sign-off dialog (current and reference side by side).
import { useState } from 'react';
import { App as AntApp, Button, Form, Input, Modal, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { CameraResult, CampaignDetail } from './readinessApi.ts';
import { readinessApi } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';
import type { ReadinessMsgKey } from './readinessText.ts';

const COLORS = { pass: 'success', warn: 'warning', fail: 'error', unchecked: 'default' } as const;

export function VerdictTag({ v }: { v: keyof typeof COLORS }) {
  const { r } = useReadinessText();
  return <Tag color={COLORS[v]}>{r(v)}</Tag>;
}

export function CameraResults({ campaign, canProbe, canSign, bust, onChanged }: { campaign: CampaignDetail; canProbe: boolean; canSign: boolean; bust: number; onChanged: () => void }) {
  const { r, err, sv } = useReadinessText();
  const { message } = AntApp.useApp();
  const [signing, setSigning] = useState<CameraResult>();
  const [form] = Form.useForm<{ signerName: string }>();
  const probe = async (b: { cameraIds?: number[]; roomIds?: number[] }) => {
    try {
      const res = await readinessApi.probe(campaign.id, b);
      void message.info(r('queued', { n: res.queued }));
      onChanged();
    } catch (e) {
      void message.error(err(e));
    }
  };
  const sign = async () => {
    const v = await form.validateFields();
    try {
      await readinessApi.signReference(signing!.cameraId, v.signerName);
      void message.success(r('signed'));
      setSigning(undefined);
      onChanged();
    } catch (e) {
      void message.error(err(e));
    }
  };
  const open = campaign.state === 'open';
  return (
    <>
      <Table<CameraResult>
        size="small"
        rowKey="cameraId"
        dataSource={campaign.cameras}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: r('picture'), width: 128, render: (_, c) => (c.hasSnapshot ? <img alt={c.cameraName} src={readinessApi.pictureUrl(c.cameraId, 'current', bust)} style={{ width: 112, height: 63, objectFit: 'cover', background: '#000' }} /> : <Typography.Text type="secondary">{r('noPicture')}</Typography.Text>) },
          { title: r('camera'), width: 170, render: (_, c) => <span><b>{c.cameraName}</b><br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.siteName} · {c.roomName}</Typography.Text></span> },
          { title: r('verdict'), width: 80, render: (_, c) => <span data-testid={`camera-verdict-${c.cameraId}`}>{c.running ? <Tag color="processing">{r('running')}</Tag> : <VerdictTag v={c.verdict} />}</span> },
          {
            title: r('results'),
            render: (_, c) => (
              <Space size={[4, 4]} wrap>
                {c.results.map((x) => (
                  <Tooltip key={x.probe} title={<div>{r('value')}: {sv(x.value)}<br />{r('rule')}: {sv(x.rule)}{x.reason ? <><br />{sv(x.reason)}</> : null}</div>}>
                    <Tag color={COLORS[x.verdict]}>{r(`probe_${x.probe}` as ReadinessMsgKey)}</Tag>
                  </Tooltip>
                ))}
                {c.results.filter((x) => x.reason).map((x) => <Typography.Text key={`${x.probe}-why`} type={x.verdict === 'fail' ? 'danger' : 'warning'} style={{ display: 'block', fontSize: 12 }}>{r(`probe_${x.probe}` as ReadinessMsgKey)}：{sv(x.reason ?? '')}</Typography.Text>)}
              </Space>
            ),
          },
          {
            title: r('reference'),
            width: 190,
            render: (_, c) => (
              <Space size={4} wrap>
                {c.reference ? (c.reference.stale ? <Tag color="warning">{r('refStale')}</Tag> : <Typography.Text style={{ fontSize: 12 }} data-testid={`reference-${c.cameraId}`}>{r('refSigned', { name: c.reference.signerName, at: c.reference.signedAt })}</Typography.Text>) : <Tag>{r('refNone')}</Tag>}
                {canProbe && open && <Button size="small" disabled={c.running} onClick={() => void probe({ cameraIds: [c.cameraId] })}>{r('probeCamera')}</Button>}
                {canProbe && open && <Button size="small" onClick={() => void probe({ roomIds: [c.roomId] })}>{r('probeRoom')}</Button>}
                {canSign && c.hasSnapshot && <Button size="small" type="primary" ghost data-testid={`reference-sign-${c.cameraId}`} onClick={() => { form.resetFields(); setSigning(c); }}>{r('signReference')}</Button>}
              </Space>
            ),
          },
        ]}
      />
      <Modal open={signing !== undefined} title={`${r('signReference')} · ${signing?.roomName ?? ''} ${signing?.cameraName ?? ''}`} onCancel={() => setSigning(undefined)} onOk={() => void sign()} okText={r('sign')} width={760} destroyOnHidden>
        {signing && (
          <>
            <Space align="start" size={16}>
              <div><Typography.Text strong>{r('current')}</Typography.Text><br /><img alt="current" src={readinessApi.pictureUrl(signing.cameraId, 'current', bust)} style={{ width: 320, height: 180, background: '#000' }} /></div>
              <div>
                <Typography.Text strong>{r('reference')}</Typography.Text><br />
                {signing.reference ? <img alt="reference" src={readinessApi.pictureUrl(signing.cameraId, 'reference', bust)} style={{ width: 320, height: 180, background: '#000' }} /> : <div style={{ width: 320, height: 180, background: '#f0f0f0', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>{r('refNone')}</div>}
              </div>
            </Space>
            <Typography.Paragraph style={{ marginTop: 12 }}>{r('refStatement')}</Typography.Paragraph>
            <Form form={form} layout="inline">
              <Form.Item name="signerName" label={r('signerName')} rules={[{ required: true, whitespace: true, message: r('required', { field: r('signerName') }) }]}>
                <Input maxLength={64} data-testid="reference-signer" />
              </Form.Item>
            </Form>
          </>
        )}
      </Modal>
    </>
  );
}
