// 测试连接 in the camera dialog (issue 14 item 10): the server connects to the typed main stream
// and answers codec, resolution, frame rate, audio and one decoded picture, before anything is saved.
import { useState } from 'react';
import type { FormInstance } from 'antd';
import { Alert, Button, Space, Typography } from 'antd';
import { ApiOutlined } from '@ant-design/icons';
import type { CameraProbeResult } from '../../../../src/org/camera-probe.ts';
import { api, errorMessage } from '../../api.ts';
import { useTileText } from '../../tileText.ts';

interface Fields {
  mainStream?: string;
  host?: string;
  port?: number | null;
  username?: string;
  password?: string;
}

export function CameraTestPanel<T extends Fields>({ form, target }: { form: FormInstance<T>; target: { roomId: number } | { cameraId: number } }) {
  const { tt } = useTileText();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CameraProbeResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    const v = form.getFieldsValue(true) as Fields;
    const stream = (v.mainStream ?? '').trim();
    setResult(null);
    if (!stream) {
      setError(tt('testNeedStream'));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      setResult(
        await api.testCamera({
          ...target,
          stream,
          ...(v.host?.trim() ? { host: v.host.trim() } : {}),
          ...(typeof v.port === 'number' ? { port: v.port } : {}),
          ...(v.username?.trim() ? { username: v.username.trim() } : {}),
          ...(v.password ? { password: v.password } : {}),
        }),
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const facts = (r: CameraProbeResult) =>
    tt('testFacts', {
      codec: (r.videoCodec ?? '?').toUpperCase(),
      w: r.width ?? '?',
      h: r.height ?? '?',
      fps: r.fps ? `${r.fps} fps` : tt('testFpsUnknown'),
      audio: r.audioCodec ? `${r.audioCodec.toUpperCase()} ${r.audioSampleRate ?? ''} Hz` : tt('testNoAudio'),
    });
  return (
    <div data-testid="camera-test" style={{ borderTop: '1px solid #f0f0f0', paddingTop: 12 }}>
      <Space align="start" size={16} style={{ width: '100%' }}>
        <Button icon={<ApiOutlined />} loading={busy} onClick={() => void run()} data-testid="camera-test-btn">{tt('testConnect')}</Button>
        <div style={{ flex: 1, minWidth: 0 }}>
          {error && <Alert type="error" showIcon title={error} data-testid="camera-test-error" />}
          {result && (
            <Alert
              type={result.ok ? 'success' : 'error'}
              showIcon
              data-testid="camera-test-result"
              title={`${result.ok ? tt('testOk') : tt('testFailed')}（${(result.elapsedMs / 1000).toFixed(1)} s）`}
              description={
                <div>
                  {result.videoCodec && <div data-testid="camera-test-facts">{facts(result)}</div>}
                  {result.error && <div>{result.error}</div>}
                  <Typography.Text type="secondary" className="xc-mono" style={{ fontSize: 12 }}>{result.url}</Typography.Text>
                </div>
              }
            />
          )}
        </div>
        {result?.snapshotJpeg && <img data-testid="camera-test-snapshot" alt="snapshot" src={`data:image/jpeg;base64,${result.snapshotJpeg}`} style={{ width: 192, height: 108, objectFit: 'contain', background: '#000', borderRadius: 4 }} />}
      </Space>
    </div>
  );
}
