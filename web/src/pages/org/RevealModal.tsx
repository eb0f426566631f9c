// Reveal a camera's network configuration (admin only; the server audits every call).
import { Alert, Descriptions, Modal, Spin, Typography } from 'antd';
import type { Camera, CameraSecrets } from '../../types.ts';
import { useI18n } from '../../i18n.ts';

/** The reveal call is made by the click handler (not an effect) so it runs exactly once per click. */
export function RevealModal({ camera, data, error, onClose }: { camera: Camera; data: CameraSecrets | null; error: string | null; onClose: () => void }) {
  const { t } = useI18n();

  const mono = (s: string | number | undefined) =>
    s === undefined || s === '' ? '—' : <Typography.Text className="xc-mono" copyable>{String(s)}</Typography.Text>;

  return (
    <Modal title={`${t('revealTitle')} · ${camera.name}`} open onCancel={onClose} onOk={onClose} cancelButtonProps={{ style: { display: 'none' } }} width={640} destroyOnHidden>
      <Alert type="warning" showIcon title={t('revealAudited')} style={{ marginBottom: 16 }} />
      {error && <Alert type="error" showIcon title={error} data-testid="reveal-error" />}
      {!data && !error && <div style={{ textAlign: 'center', padding: 24 }}><Spin /></div>}
      {data && (
        <Descriptions
          bordered
          size="small"
          column={1}
          data-testid="reveal-data"
          styles={{ label: { width: 130 } }}
          items={[
            { key: 'host', label: t('host'), children: mono(data.host) },
            { key: 'port', label: t('port'), children: mono(data.port) },
            { key: 'user', label: t('deviceUser'), children: mono(data.username) },
            { key: 'pw', label: t('devicePassword'), children: mono(data.password) },
            { key: 'main', label: t('mainStream'), children: mono(data.mainStream) },
            { key: 'sub', label: t('subStream'), children: mono(data.subStream) },
            { key: 'onvif', label: t('onvifUrl'), children: mono(data.onvifUrl ?? '') },
          ]}
        />
      )}
    </Modal>
  );
}
