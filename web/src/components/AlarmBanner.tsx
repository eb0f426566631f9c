// R-REC-4: a red banner on top of every page while recording alarms are open in the user's scope
// (polls GET /api/alarms?open=true every 3 s): camera and room, gap start (Beijing time), reason,
// and 确认 for roles holding exam.seal. R-DIS-3: the duty alarms of this level and below (不足两人值守,
// 保密室回看逾期; useDutyAlarms) stand in the same banner until they clear at their origin. A new alarm beeps (WebAudio, no files); browsers only allow
// audio after a user gesture, so the audio context is created on the first click or key press.
import { useCallback, useEffect, useRef, useState } from 'react';
import { App, Button, Input, Modal, Space, Tag, Tooltip } from 'antd';
import type { ButtonProps } from 'antd';
import { MutedOutlined, SoundOutlined, WarningFilled } from '@ant-design/icons';
import { api, errorMessage } from '../api.ts';
import { formatBeijing } from '../time.ts';
import type { Alarm, OrgNode, User } from '../types.ts';
import { useExamText } from '../pages/exams/examText.ts';
import { useConsoleText } from '../consoleText.ts';
import { liveLink, playbackLink } from '../deepLink.ts';
import { useDutyAlarms } from '../pages/duty/useDutyAlarms.ts';
import type { DutyAlarm } from '../pages/duty/useDutyAlarms.ts';

const POLL_MS = 3000;
const SHOWN = 3;
const SOUND_KEY = 'xuncha.alarmSound';

interface Place { camera?: string; room?: string; site?: string }

/** Two short tones; `ctx` exists only after a user gesture (autoplay rules). */
function beep(ctx: AudioContext): void {
  const t0 = ctx.currentTime;
  for (const [i, f] of [880, 660].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = f;
    const s = t0 + i * 0.22;
    gain.gain.setValueAtTime(0.0001, s);
    gain.gain.exponentialRampToValueAtTime(0.15, s + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, s + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(s);
    osc.stop(s + 0.2);
  }
}

function soundWanted(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) !== 'off';
  } catch {
    return true;
  }
}

function placesOf(nodes: OrgNode[]): Map<number, Place> {
  const out = new Map<number, Place>();
  for (const n of nodes) {
    for (const r of n.rooms ?? []) {
      out.set(-r.id, { room: r.name, site: n.name });
      for (const c of r.cameras ?? []) out.set(c.id, { camera: c.name, room: r.name, site: n.name });
    }
  }
  return out;
}

export function AlarmBanner({ user }: { user: User }) {
  const { x, xl } = useExamText();
  const { c } = useConsoleText();
  const { message } = App.useApp();
  const enabled = user.role !== 'inspector';
  const canAck = user.role === 'admin' || user.role === 'operator';
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [places, setPlaces] = useState<Map<number, Place>>(new Map());
  const [sound, setSound] = useState(soundWanted);
  const [unlocked, setUnlocked] = useState(false);
  const [acking, setAcking] = useState<number | null>(null);
  const audio = useRef<AudioContext | null>(null);
  const seen = useRef(new Set<number>());
  const namesAt = useRef(0);
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const placesRef = useRef(places);
  placesRef.current = places;
  const duty = useDutyAlarms(enabled, formatBeijing);
  const seenDuty = useRef(new Set<string>());
  // A new duty alarm beeps like a new recording alarm.
  useEffect(() => {
    const fresh = duty.filter((d) => !seenDuty.current.has(d.id));
    seenDuty.current = new Set(duty.map((d) => d.id)); // one that cleared and comes back beeps again
    if (fresh.length && soundRef.current && audio.current?.state === 'running') beep(audio.current);
  }, [duty]);

  // Audio may only start after a user gesture.
  useEffect(() => {
    const unlock = () => {
      if (!audio.current) {
        try {
          audio.current = new AudioContext();
        } catch {
          return;
        }
      }
      void audio.current.resume().then(() => setUnlocked(true), () => undefined);
    };
    window.addEventListener('pointerdown', unlock, { once: true, capture: true });
    window.addEventListener('keydown', unlock, { once: true, capture: true });
    return () => {
      window.removeEventListener('pointerdown', unlock, { capture: true });
      window.removeEventListener('keydown', unlock, { capture: true });
      void audio.current?.close().catch(() => undefined);
      audio.current = null;
    };
  }, []);

  const poll = useCallback(async () => {
    let list: Alarm[];
    try {
      list = (await api.openAlarms()).alarms;
    } catch {
      return; // keep the last known state; the next poll tries again
    }
    setAlarms(list);
    const fresh = list.filter((a) => !a.acknowledgedBy && !seen.current.has(a.id));
    for (const a of list) seen.current.add(a.id);
    if (fresh.length && soundRef.current && audio.current?.state === 'running') beep(audio.current);
    const unknown = list.some((a) => !placesRef.current.has(a.cameraId));
    if (unknown && Date.now() - namesAt.current > 30_000) {
      namesAt.current = Date.now();
      api.orgTree().then((r) => setPlaces(placesOf(r.nodes)), () => undefined);
    }
  }, []);

  useEffect(() => {
    if (!enabled) return undefined;
    void poll();
    const h = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(h);
  }, [enabled, poll]);

  // Acknowledging asks for a disposition (处置意见), stored with the alarm and in the audit log.
  const [ackFor, setAckFor] = useState<Alarm>();
  const [note, setNote] = useState('');
  const ack = async (a: Alarm, disposition: string) => {
    setAcking(a.id);
    try {
      await api.ackAlarm(a.id, disposition);
      setAckFor(undefined);
      setNote('');
      void message.success(x('ackDone'));
      await poll();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setAcking(null);
    }
  };

  const toggleSound = () => {
    const next = !sound;
    setSound(next);
    try {
      localStorage.setItem(SOUND_KEY, next ? 'on' : 'off');
    } catch {
      /* private mode */
    }
  };

  if (!enabled || (alarms.length === 0 && duty.length === 0)) return null;
  const open = alarms.filter((a) => !a.acknowledgedBy).sort((a, b) => b.raisedAtMs - a.raisedAtMs);
  const acked = alarms.length - open.length;
  const where = (a: Alarm) => {
    const p = places.get(a.cameraId) ?? places.get(-a.roomId);
    return [p?.site, p?.room ?? x('roomN', { id: a.roomId }), p?.camera ?? x('cameraN', { id: a.cameraId })].filter(Boolean).join(' · ');
  };

  if (open.length === 0 && duty.length === 0) {
    return (
      <div data-testid="alarm-banner-acked" style={{ position: 'sticky', top: 0, zIndex: 100, background: '#fff7e6', borderBottom: '1px solid #ffd591', color: '#ad4e00', padding: '6px 20px', fontSize: 13 }}>
        <WarningFilled style={{ marginInlineEnd: 8 }} />
        {x('alarmAckedOpen', { n: acked })}
      </div>
    );
  }
  const soundButton = (
    <Tooltip title={sound ? x('soundOn') : x('soundOff')}>
      <Button size="small" type="text" style={{ color: '#fff' }} icon={sound ? <SoundOutlined /> : <MutedOutlined />} onClick={toggleSound} aria-label={sound ? x('soundOn') : x('soundOff')} data-testid="alarm-sound" />
    </Tooltip>
  );
  return (
    <div data-testid="alarm-banner" role="alert" style={{ position: 'sticky', top: 0, zIndex: 100, background: '#c62828', color: '#fff', padding: '8px 20px', boxShadow: '0 2px 6px rgba(120,0,0,0.25)' }}>
      {duty.map((d, i) => <DutyRow key={d.id} d={d} label={x(d.kind === 'alone' ? 'alarmAlone' : 'alarmReviewOverdue')} end={i === 0 ? soundButton : null} />)}
      {open.slice(0, SHOWN).map((a, i) => (
        <div key={a.id} data-testid={`alarm-${a.id}`} style={{ display: 'flex', alignItems: 'center', gap: 12, minHeight: 32, flexWrap: 'wrap' }}>
          <WarningFilled style={{ fontSize: 18 }} />
          <Tag color="#fff" style={{ color: '#c62828', fontWeight: 600, marginInlineEnd: 0 }}>{a.kind === 'recording_gap' ? x('alarmGap') : a.kind === 'ptz_refused' ? x('alarmPtz') : x('alarmNotReady')}</Tag>
          <span style={{ fontWeight: 600 }} data-testid={`alarm-where-${a.id}`}>{where(a)}</span>
          <a style={{ color: '#fff', textDecoration: 'underline' }} href={liveLink(a.cameraId)} data-testid={`alarm-live-${a.id}`}>{c('alarmLive')}</a>
          <a style={{ color: '#fff', textDecoration: 'underline' }} href={playbackLink(a.cameraId, a.gapStartMs ?? a.raisedAtMs)} data-testid={`alarm-playback-${a.id}`}>{c('alarmPlayback')}</a>
          <span className="xc-time">
            {a.gapStartMs !== null ? x('alarmSince', { at: formatBeijing(a.gapStartMs) }) : x('alarmRaised', { at: formatBeijing(a.raisedAtMs) })}
          </span>
          <span style={{ opacity: 0.92 }}>{x('alarmReason', { reason: xl('reason', a.reason) })}</span>
          <span style={{ flex: 1 }} />
          {canAck && (
            <Button size="small" ghost onClick={() => { setAckFor(a); setNote(''); }} data-testid={`alarm-ack-${a.id}`}>{x('ack')}</Button>
          )}
          {i === 0 && duty.length === 0 ? soundButton : <span style={{ width: 24 }} />}
        </div>
      ))}
      {(open.length > SHOWN || acked > 0 || (sound && !unlocked)) && (
        <Space size={16} style={{ fontSize: 12, opacity: 0.9, marginTop: 2 }}>
          {open.length > SHOWN && <span>{x('alarmMore', { n: open.length - SHOWN })}</span>}
          {acked > 0 && <span>{x('alarmAckedOpen', { n: acked })}</span>}
          {sound && !unlocked && <span>{x('soundHint')}</span>}
        </Space>
      )}
      <Modal
        open={Boolean(ackFor)}
        title={c('ackTitle')}
        okText={x('ack')}
        confirmLoading={ackFor !== undefined && acking === ackFor.id}
        okButtonProps={{ disabled: note.trim().length < 2, 'data-testid': 'ack-ok' } as ButtonProps}
        onOk={() => ackFor && void ack(ackFor, note.trim())}
        onCancel={() => setAckFor(undefined)}
        destroyOnHidden
      >
        {ackFor && <p style={{ color: '#595959' }}>{where(ackFor)}</p>}
        <Input.TextArea rows={3} maxLength={500} showCount value={note} onChange={(e) => setNote(e.target.value)} placeholder={c('ackPlaceholder')} data-testid="ack-disposition" />
      </Modal>
    </div>
  );
}

/** One duty alarm in the banner: what, where (node · room), the origin's message or the review period, since when. */
function DutyRow({ d, label, end }: { d: DutyAlarm; label: string; end: React.ReactNode }) {
  return (
    <div data-testid={`duty-alarm-${d.kind}`} style={{ display: 'flex', alignItems: 'center', gap: 12, minHeight: 32, flexWrap: 'wrap' }}>
      <WarningFilled style={{ fontSize: 18 }} />
      <Tag color="#fff" style={{ color: '#c62828', fontWeight: 600, marginInlineEnd: 0 }}>{label}</Tag>
      <span style={{ fontWeight: 600 }}>{[d.where, d.roomName].filter(Boolean).join(' · ')}{d.stale ? ' ⚠' : ''}</span>
      <span style={{ opacity: 0.92 }}>{d.detail}</span>
      {d.atMs !== null && d.kind === 'alone' && <span className="xc-time">{formatBeijing(d.atMs)}</span>}
      <span style={{ flex: 1 }} />
      {end ?? <span style={{ width: 24 }} />}
    </div>
  );
}
