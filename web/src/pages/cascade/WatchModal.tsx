// Live view of a remote channel that this node pulls as one of its cameras (source GB/T 28181):
// the video wall's own tile and live client (fMP4 over the WebSocket into MSE), so the viewing
// takes the same token, scope check and audit as on the wall. The wall page has no deep link to a
// camera, so the modal names where the camera sits in the wall's tree and links to the wall.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Modal, Space, Typography } from 'antd';
import { DesktopOutlined } from '@ant-design/icons';
import { api } from '../../api.ts';
import { LiveClient } from '../wall/liveClient.ts';
import { Tile } from '../wall/Tile.tsx';
import { TokenCache, wallSites } from '../wall/wallModel.ts';
import type { WallCamera } from '../wall/wallModel.ts';
import '../wall/wall.css';
import { useCascadeText } from './cascadeText.ts';

export function WatchModal({ cameraId, name, onClose }: { cameraId: number; name: string; onClose: () => void }) {
  const { c, err } = useCascadeText();
  const client = useMemo(() => new LiveClient(), []);
  const tokens = useMemo(() => new TokenCache(), []);
  const [cam, setCam] = useState<WallCamera | null>();
  const [error, setError] = useState<string>();

  useEffect(() => () => client.close(), [client]);
  useEffect(() => {
    let stop = false;
    api.orgTree().then(
      (r) => {
        if (stop) return;
        const found = wallSites(r.nodes).flatMap((s) => s.rooms.flatMap((room) => room.cameras)).find((x) => x.id === cameraId);
        setCam(found ?? null);
      },
      (e: unknown) => !stop && setError(err(e)),
    );
    return () => {
      stop = true;
    };
  }, [cameraId, err]);

  return (
    <Modal open title={c('watchTitle', { name })} width={880} footer={null} onCancel={onClose} destroyOnHidden>
      <div data-testid="watch-modal">
        {error && <Alert type="error" showIcon title={error} />}
        {cam === null && <Alert type="warning" showIcon title={c('cameraNotFound')} />}
        {cam && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <div style={{ height: 460, display: 'flex' }}>
              <Tile index={0} cam={cam} stream="sub" client={client} tokens={tokens} big />
            </div>
            <Space size={12} wrap>
              <Typography.Text type="secondary">{c('watchWallHint', { path: `${cam.siteName} / ${cam.roomName} / ${cam.name}` })}</Typography.Text>
              <Button size="small" icon={<DesktopOutlined />} href="#/wall">{c('openWall')}</Button>
            </Space>
          </Space>
        )}
      </div>
    </Modal>
  );
}
