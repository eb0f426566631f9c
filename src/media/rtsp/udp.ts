// UDP port pairs for RTP/RTCP (RFC 3550 §11: RTP on an even port, RTCP on the next odd one).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';

export interface UdpPair {
  rtp: Socket;
  rtcp: Socket;
  rtpPort: number;
}

const MAX_ATTEMPTS = 50;

function bind(port: number, type: 'udp4' | 'udp6'): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = createSocket({ type });
    const onError = (): void => {
      s.close();
      resolve(undefined);
    };
    s.once('error', onError);
    s.bind(port, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

export function closeQuietly(s: Socket): void {
  try {
    s.close();
  } catch {
    // already closed
  }
}

/**
 * Bind an even ephemeral port and port+1. The OS picks a random ephemeral port; odd picks or a taken
 * neighbour are retried a bounded number of times.
 */
export async function bindUdpPair(type: 'udp4' | 'udp6' = 'udp4'): Promise<UdpPair> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const first = await bind(0, type);
    if (!first) continue;
    const port = first.address().port;
    if (port % 2 !== 0 || port >= 65535) {
      closeQuietly(first);
      continue;
    }
    const second = await bind(port + 1, type);
    if (!second) {
      closeQuietly(first);
      continue;
    }
    // Camera bursts (I-frames) arrive faster than the event loop drains; a bigger buffer avoids drops.
    try {
      first.setRecvBufferSize(2 * 1024 * 1024);
    } catch {
      // capped by the OS (net.core.rmem_max); the default still works
    }
    return { rtp: first, rtcp: second, rtpPort: port };
  }
  throw new Error(`could not bind an even/odd UDP port pair after ${MAX_ATTEMPTS} attempts`);
}
