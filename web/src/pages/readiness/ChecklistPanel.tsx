// Checklist items × sites of a campaign (R-PRE-1, R-PRE-5, R-PRE-7, R-SEC-3, R-SEC-8): who signed
// what and when, and the sign-off dialog (named signer, outcome, workstation, note, attachment).
import { useState } from 'react';
import { App as AntApp, Button, Empty, Form, Input, Modal, Radio, Space, Table, Tag, Typography, Upload } from 'antd';
import type { CampaignDetail } from './readinessApi.ts';
import { readinessApi } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';

type Item = CampaignDetail['checklistItems'][number];
interface Row { key: string; item: Item; siteId: number; siteName: string }
interface SignForm { signerName: string; outcome: 'ok' | 'fail'; subject?: string; note?: string }

const MAX_FILE = 160 * 1024;

export function ChecklistPanel({ campaign, canSign, onChanged }: { campaign: CampaignDetail; canSign: boolean; onChanged: () => void }) {
  const { r, err } = useReadinessText();
  const { message } = AntApp.useApp();
  const [target, setTarget] = useState<Row>();
  const [file, setFile] = useState<File>();
  const [form] = Form.useForm<SignForm>();
  if (campaign.checklistItems.length === 0) return <Empty description={r('noItems')} />;
  const rows: Row[] = campaign.sites.flatMap((s) => campaign.checklistItems.map((item) => ({ key: `${s.siteId}-${item.itemId}`, item, siteId: s.siteId, siteName: s.siteName })));
  const submit = async () => {
    const v = await form.validateFields();
    if (file && file.size > MAX_FILE) {
      void message.error(r('fileTooBig'));
      return;
    }
    try {
      const dataBase64 = file ? btoa(Array.from(new Uint8Array(await file.arrayBuffer()), (b) => String.fromCharCode(b)).join('')) : undefined;
      await readinessApi.sign(campaign.id, { itemId: target!.item.itemId, siteId: target!.siteId, subject: v.subject ?? '', outcome: v.outcome, signerName: v.signerName, note: v.note || undefined, file: file && dataBase64 ? { name: file.name, dataBase64 } : undefined });
      void message.success(r('signed'));
      setTarget(undefined);
      onChanged();
    } catch (e) {
      void message.error(err(e));
    }
  };
  return (
    <>
      <Table<Row>
        size="small"
        rowKey="key"
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: r('site'), dataIndex: 'siteName', width: 180 },
          { title: r('requirement'), width: 90, render: (_, x) => <Tag>{x.item.requirement}</Tag> },
          { title: r('item'), render: (_, x) => <span>{x.item.title}：{x.item.text} <Typography.Text type="secondary">({r(x.item.per === 'site' ? 'per_site' : 'per_workstation')})</Typography.Text></span> },
          {
            title: r('signed'),
            render: (_, x) => (
              <Space direction="vertical" size={0} data-testid={`signatures-${x.siteId}-${x.item.itemId}`}>
                {campaign.signatures.filter((g) => g.itemId === x.item.itemId && g.siteId === x.siteId).map((g) => (
                  <span key={g.id}>
                    <Tag color={g.outcome === 'ok' ? 'success' : 'error'}>{r(g.outcome === 'ok' ? 'outcome_ok' : 'outcome_fail')}</Tag>
                    {g.subject ? `${g.subject} · ` : ''}{g.signerName} · {g.signedAt}{g.note ? ` · ${g.note}` : ''}{g.fileName ? <> · <a href={`/api/readiness/signatures/${g.id}/file`}>{g.fileName}</a></> : null}
                  </span>
                ))}
              </Space>
            ),
          },
          { title: '', width: 90, render: (_, x) => canSign && campaign.state === 'open' && <Button size="small" data-testid={`sign-item-${x.siteId}-${x.item.itemId}`} onClick={() => { form.resetFields(); form.setFieldsValue({ outcome: 'ok' }); setFile(undefined); setTarget(x); }}>{r('sign')}</Button> },
        ]}
      />
      <Modal open={target !== undefined} title={`${r('signItem')} · ${target?.siteName ?? ''}`} onCancel={() => setTarget(undefined)} onOk={() => void submit()} okText={r('sign')} destroyOnHidden>
        {target && (
          <Form form={form} layout="vertical">
            <Typography.Paragraph><Tag>{target.item.requirement}</Tag>{target.item.title}：{target.item.text}</Typography.Paragraph>
            {target.item.per === 'workstation' && (
              <Form.Item name="subject" label={r('workstation')} rules={[{ required: true, whitespace: true, message: r('required', { field: r('workstation') }) }]}><Input maxLength={64} /></Form.Item>
            )}
            <Form.Item name="outcome" label={r('outcome')}><Radio.Group options={[{ value: 'ok', label: r('outcome_ok') }, { value: 'fail', label: r('outcome_fail') }]} /></Form.Item>
            <Form.Item name="signerName" label={r('signerName')} rules={[{ required: true, whitespace: true, message: r('required', { field: r('signerName') }) }]}><Input maxLength={64} data-testid="item-signer" /></Form.Item>
            <Form.Item name="note" label={r('note')}><Input.TextArea maxLength={512} rows={2} /></Form.Item>
            <Form.Item label={r('file')}>
              <Upload beforeUpload={(f) => { setFile(f); return false; }} onRemove={() => setFile(undefined)} maxCount={1}><Button>{r('file')}</Button></Upload>
            </Form.Item>
          </Form>
        )}
      </Modal>
    </>
  );
}
