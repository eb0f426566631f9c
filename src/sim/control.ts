// Tiny HTTP control API of the simulator (fault injection for demos, e2e tests and benches):
//   POST   /cameras/:id/fault   {"type":"drop"|"stall"|"refuse"|"garbage"|"garbage-rtp"|"resolution"|"loss"|"clock"|"timestamp-jump"|"lying-sdp"|"password"|"clear",
//                                 "durationMs"?, "lossPct"?, "offsetMs"?, "sends"?: "h265"|"garbage", "password"?}
//   GET    /cameras/:id/delivered  DeliveryLog (what the main stream delivered decodably, wall ms)
//   GET    /cameras/:id/speaker?windowMs=1000  SpeakerReport (what arrived on the back channel: packets, level, tone)
//   GET    /cameras             [{ id, urls }]
//   GET    /cameras/:id/stats   CameraStats
//   POST   /cameras             {"id", "audio"?, "clockOffsetMs"?, "speaker"?}  (add a camera)
//   DELETE /cameras/:id
import http from 'node:http';
import type { FaultSpec, SimCameraConfig, Simulator } from './simulator.ts';

export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text.trim() === '' ? {} : (JSON.parse(text) as unknown));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    req.on('error', reject);
  });
}

async function handle(sim: Simulator, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'cameras') return send(res, 404, { error: 'not found' });
  if (parts.length === 1 && req.method === 'GET') {
    return send(
      res,
      200,
      sim.cameraIds().map((id) => ({ id, urls: { main: sim.url(id, 'main'), sub: sim.url(id, 'sub'), h265: sim.url(id, 'h265') } })),
    );
  }
  if (parts.length === 1 && req.method === 'POST') {
    const body = (await readJson(req)) as SimCameraConfig;
    sim.addCamera(body);
    return send(res, 201, { id: body.id, url: sim.url(body.id) });
  }
  const id = parts[1];
  if (!sim.stats(id)) return send(res, 404, { error: `unknown camera ${id}` });
  if (parts.length === 2 && req.method === 'DELETE') {
    sim.removeCamera(id);
    return send(res, 204);
  }
  if (parts.length === 3 && parts[2] === 'stats' && req.method === 'GET') return send(res, 200, sim.stats(id));
  if (parts.length === 3 && parts[2] === 'delivered' && req.method === 'GET') return send(res, 200, sim.delivered(id));
  if (parts.length === 3 && parts[2] === 'speaker' && req.method === 'GET') {
    const w = url.searchParams.get('windowMs');
    const windowMs = w === null ? undefined : Number(w);
    if (windowMs !== undefined && !(Number.isInteger(windowMs) && windowMs > 0 && windowMs <= 4000)) return send(res, 400, { error: 'windowMs must be an integer within 1..4000' });
    return send(res, 200, sim.speaker(id, windowMs));
  }
  if (parts.length === 3 && parts[2] === 'fault' && req.method === 'POST') {
    const body = (await readJson(req)) as FaultSpec;
    sim.fault(id, body);
    return send(res, 200, { ok: true, stats: sim.stats(id) });
  }
  return send(res, 404, { error: 'not found' });
}

export async function startControlServer(sim: Simulator, port: number, host: string): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    handle(sim, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 400, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
