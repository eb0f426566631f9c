// `xuncha sim`: runs the camera simulator until SIGINT/SIGTERM.
//   xuncha sim [--port 8554] [--host 127.0.0.1] [--control-port 8555] [--cameras N | --rooms N]
//              [--audio aac|pcma|none|mixed] [--speaker] [--auth user:pass [--digest]] [--clips DIR]
import { parseArgs } from 'node:util';
import { startSimulator, type SimCameraConfig } from './simulator.ts';
import { simulateSite } from './site.ts';

export interface CliIo {
  log?: (line: string) => void;
  error?: (line: string) => void;
  /** Stops the simulator when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Called once the simulator listens (tests). */
  onReady?: (info: { port: number; controlPort: number | undefined; cameras: string[] }) => void;
}

export const USAGE = `usage: xuncha sim [options]
  --port N            RTSP port (default 8554, 0 = random)
  --host ADDR         listen address (default 127.0.0.1)
  --control-port N    HTTP fault API port (default 8555, 0 = random, -1 = off)
  --cameras N         N cameras cam001..camN (default 4)
  --rooms N           an exam site: N rooms x 2 cameras (front PCMA, rear AAC)
  --audio KIND        aac | pcma | none | mixed (default mixed)
  --speaker           every camera has a speaker: an ONVIF audio back channel (PCMA)
  --auth USER:PASS    require authentication (Basic unless --digest)
  --digest            use Digest authentication
  --clips DIR         clips directory (default assets/clips)`;

function int(v: string | undefined, name: string, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

/** Runs the simulator; resolves with the exit code once it has shut down. */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const log = io.log ?? ((l: string) => console.log(l));
  const error = io.error ?? ((l: string) => console.error(l));
  let cameras: SimCameraConfig[];
  let opts: Parameters<typeof startSimulator>[0];
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'control-port': { type: 'string' },
        cameras: { type: 'string' },
        rooms: { type: 'string' },
        audio: { type: 'string' },
        auth: { type: 'string' },
        digest: { type: 'boolean' },
        clips: { type: 'string' },
        speaker: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      log(USAGE);
      return 0;
    }
    const audio = values.audio ?? 'mixed';
    if (!['aac', 'pcma', 'none', 'mixed'].includes(audio)) throw new Error('--audio must be aac, pcma, none or mixed');
    if (values.cameras !== undefined && values.rooms !== undefined) throw new Error('use --cameras or --rooms, not both');
    if (values.rooms !== undefined) {
      cameras = simulateSite({ rooms: int(values.rooms, 'rooms', 1, 1), audio: audio as 'mixed' });
    } else {
      const n = int(values.cameras, 'cameras', 4, 1);
      const w = Math.max(3, String(n).length);
      cameras = Array.from({ length: n }, (_, i) => ({
        id: `cam${String(i + 1).padStart(w, '0')}`,
        audio: audio === 'mixed' ? (i % 2 === 0 ? 'aac' : 'pcma') : (audio as 'aac' | 'pcma' | 'none'),
      }));
    }
    // Every camera gets a speaker (ONVIF back channel) with --speaker; otherwise none has one.
    if (values.speaker) cameras = cameras.map((c) => ({ ...c, speaker: true }));
    const port = int(values.port, 'port', 8554, 0);
    const controlPort = int(values['control-port'], 'control-port', port === 0 ? 0 : 8555, -1);
    opts = { port, cameras, ...(controlPort >= 0 ? { controlPort } : {}) };
    if (values.host) opts.host = values.host;
    if (values.clips) opts.clipsDir = values.clips;
    if (values.auth !== undefined) {
      const i = values.auth.indexOf(':');
      if (i <= 0) throw new Error('--auth must be USER:PASS');
      opts.auth = { username: values.auth.slice(0, i), password: values.auth.slice(i + 1), scheme: values.digest ? 'digest' : 'basic' };
    } else if (values.digest) throw new Error('--digest needs --auth USER:PASS');
  } catch (e) {
    error(e instanceof Error ? e.message : String(e));
    error(USAGE);
    return 2;
  }

  const sim = await startSimulator(opts);
  const ids = sim.cameraIds();
  log(`xuncha camera simulator: ${ids.length} camera(s) on rtsp://${opts.host ?? '127.0.0.1'}:${sim.port}` + (opts.auth ? ` (${opts.auth.scheme} auth, user ${opts.auth.username})` : ''));
  if (sim.controlPort !== undefined) log(`fault API: POST http://${opts.host ?? '127.0.0.1'}:${sim.controlPort}/cameras/<id>/fault {"type":"drop|stall|refuse|garbage|garbage-rtp|resolution|loss|clock|timestamp-jump|lying-sdp|password|clear"}`);
  for (const id of ids) {
    const audio = cameras.find((c) => c.id === id)?.audio ?? 'aac';
    log(`${id}\t${sim.url(id, 'main')}\t${sim.url(id, 'sub')}\t${sim.url(id, 'h265')}\taudio=${audio}`);
  }
  io.onReady?.({ port: sim.port, controlPort: sim.controlPort, cameras: ids });

  let stop = () => {};
  await new Promise<void>((resolve) => {
    stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal) {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', stop, { once: true });
    }
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  io.signal?.removeEventListener('abort', stop);
  await sim.close();
  log('simulator stopped');
  return 0;
}
