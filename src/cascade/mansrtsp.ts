// MANSRTSP (GB/T 28181-2016 Annex B): playback control sent by the upper inside a Playback
// dialog as a SIP INFO with Content-Type Application/MANSRTSP. PLAY resumes, with an optional
// Range (npt seconds from the start of the INVITE's range: a seek) and Scale (speed); PAUSE
// pauses; TEARDOWN ends the session.

export const MANSRTSP_CONTENT_TYPE = 'Application/MANSRTSP';

export type MansRtspCommand =
  | { method: 'PLAY'; cseq: number; /** Seek target, s from the range start; undefined = resume where paused. */ rangeSec?: number; scale?: number }
  | { method: 'PAUSE'; cseq: number }
  | { method: 'TEARDOWN'; cseq: number };

/** A command as the caller gives it (the CSeq is the sender's). */
export type MansRtspRequest = { [K in MansRtspCommand['method']]: Omit<Extract<MansRtspCommand, { method: K }>, 'cseq'> }[MansRtspCommand['method']];

export class MansRtspError extends Error {}

export function parseMansRtsp(text: string): MansRtspCommand {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const m = /^([A-Z]+)\s+(?:\S+\s+)?RTSP\/1\.0$/i.exec(lines[0] ?? '');
  if (!m) throw new MansRtspError('not a MANSRTSP request line');
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  const cseq = Number(headers.get('cseq') ?? '0');
  if (!Number.isInteger(cseq) || cseq < 0) throw new MansRtspError('bad CSeq');
  const method = m[1].toUpperCase();
  if (method === 'PAUSE' || method === 'TEARDOWN') return { method, cseq };
  if (method !== 'PLAY') throw new MansRtspError(`unsupported method ${method}`);
  let rangeSec: number | undefined;
  const range = headers.get('range');
  if (range !== undefined) {
    const r = /^npt\s*=\s*(now|\d+(?:\.\d+)?)\s*-\s*(?:\d+(?:\.\d+)?)?$/i.exec(range);
    if (!r) throw new MansRtspError(`bad Range ${range}`);
    if (r[1].toLowerCase() !== 'now') rangeSec = Number(r[1]);
  }
  let scale: number | undefined;
  const s = headers.get('scale');
  if (s !== undefined) {
    scale = Number(s);
    if (!Number.isFinite(scale) || scale <= 0 || scale > 64) throw new MansRtspError(`unsupported Scale ${s} (forward 0 < scale ≤ 64 only)`);
  }
  return { method: 'PLAY', cseq, ...(rangeSec !== undefined ? { rangeSec } : {}), ...(scale !== undefined ? { scale } : {}) };
}

export function buildMansRtsp(cmd: MansRtspCommand): string {
  const lines = [`${cmd.method} RTSP/1.0`, `CSeq: ${cmd.cseq}`];
  if (cmd.method === 'PLAY') {
    if (cmd.rangeSec !== undefined) lines.push(`Range: npt=${cmd.rangeSec}-`);
    if (cmd.scale !== undefined) lines.push(`Scale: ${cmd.scale.toFixed(1)}`);
  }
  if (cmd.method === 'PAUSE') lines.push('PauseTime: now');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The RTSP status line carried back in the SIP 200's body. */
export function mansRtspAnswer(cseq: number, status = 200, reason = 'OK'): string {
  return `RTSP/1.0 ${status} ${reason}\r\nCSeq: ${cseq}\r\n\r\n`;
}
