// One wall tile: subscribes its camera while visible (IntersectionObserver + page visibility),
// shows room, camera, online/recording state and a Beijing-time clock; a dropped camera shows at
// once (server status, or no frame for 3 s) and the tile recovers by itself when frames return.
import { useEffect, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import { useI18n } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';
import { useConsoleText } from '../../consoleText.ts';
import { cameraStateKind, cameraStateText, sinceText } from '../../components/CameraState.tsx';
import type { LiveClient, RateReason, Stream } from './liveClient.ts';
import { MsePlayer } from './msePlayer.ts';
import { pageGovernor } from './rateGovernor.ts';
import type { DegradeWhy } from './rateGovernor.ts';
import type { CameraStatusView, TokenCache, WallCamera } from './wallModel.ts';
import { TilePtz } from '../duty/TilePtz.tsx';
import { MarkIncidentButton } from '../duty/MarkIncident.tsx';
import { App as AntApp } from 'antd';
import { AudioOutlined, CameraOutlined, MutedOutlined, SoundOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { useTileText } from '../../tileText.ts';
import { useExamStatus } from './examStatus.ts';
import { saveSnapshot } from './snapshot.ts';
import { openTileAudio } from './tileAudio.ts';
import type { TileAudio } from './tileAudio.ts';
import { openTileTalk } from './tileTalk.ts';
import type { TileTalk } from './tileTalk.ts';

interface Props {
  index: number;
  cam?: WallCamera;
  stream: Stream;
  client: LiveClient;
  tokens: TokenCache;
  status?: CameraStatusView;
  onDropCameras?: (index: number, cameraIds: number[]) => void;
  onOpen?: (cam: WallCamera) => void;
  big?: boolean;
  /** Overview tile of a large grid: keyframes only (issue 16); false = every frame. */
  overview?: boolean;
  /** The tile the patroller picked in an overview grid (full rate, outlined). */
  selected?: boolean;
  onSelect?: (index: number) => void;
  /** The tile the patroller picked (any layout): the last to give way when the page cannot keep up. */
  priority?: boolean;
  /** Tiles of the wall (its layout), for the player's profile (liveEdgePolicy.ts wallProfile). */
  wallTiles?: number;
}

type TileState = 'idle' | 'connecting' | 'online' | 'offline' | 'refused' | 'unsupported' | 'paused';

export const DRAG_TYPE = 'application/x-xuncha-cameras';

function useVisible(ref: React.RefObject<HTMLElement | null>): boolean {
  const [inView, setInView] = useState(true);
  const [pageVisible, setPageVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => setInView(entries.some((e) => e.isIntersecting)), { threshold: 0.01 });
    io.observe(el);
    const onVis = () => setPageVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', onVis);
    return () => {
      io.disconnect();
      document.removeEventListener('visibilitychange', onVis);
    };
  }, [ref]);
  return inView && pageVisible;
}

/**
 * The server's refusals read "中文 (English)"; a tile in the Chinese console shows the Chinese part
 * (the whole text is the tooltip): both languages did not fit a 16-tile wall's tile.
 */
function chineseOnly(message: string): string {
  return message.replace(/\s*\([^()]*[A-Za-z][^()]*\)\s*$/, '') || message;
}

/** The Chinese part of "中文 (English (with details))": chineseOnly cannot take nested parentheses. */
function chineseHead(message: string): string {
  const i = message.indexOf(' (');
  return i > 0 && /[\u4e00-\u9fff]/.test(message.slice(0, i)) ? message.slice(0, i) : message;
}

export function Tile({ index, cam, stream, client, tokens, status, onDropCameras, onOpen, big, overview = false, selected, onSelect, priority = false, wallTiles = 1 }: Props) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const visible = useVisible(box);
  const [state, setState] = useState<TileState>('idle');
  // The server's reason when a token is refused (e.g. the two-person rule, R-DIS-3): shown, not just "not permitted".
  const [refusal, setRefusal] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const lastFrame = useRef(0);
  const [over, setOver] = useState(false);
  // A camera without a sub stream plays its main stream on the wall (and the tile says so).
  const [fallback, setFallback] = useState(false);
  const wantStream: Stream = stream === 'sub' && (fallback || cam?.hasSub === false) ? 'main' : stream;
  const { c } = useConsoleText();
  useEffect(() => setFallback(false), [cam?.id]);
  // A full-rate tile the browser cannot keep up with plays keyframes only for a while (rateGovernor.ts).
  const [degraded, setDegraded] = useState<DegradeWhy | null>(null);
  const keyOnly = overview || degraded !== null;
  // Overview or degraded ↔ full rate on the running subscription (no resubscribe: the picture stays).
  const rate = useRef(keyOnly);
  const rateReason = useRef<RateReason>('overview');
  const wantsFull = useRef(!overview);
  wantsFull.current = !overview;
  const prio = useRef(false);
  prio.current = priority || big === true || selected === true;
  const tiles = useRef(wallTiles);
  tiles.current = big ? 1 : wallTiles;
  const live = useRef<{ ch?: number; player?: MsePlayer }>({});
  useEffect(() => {
    rate.current = keyOnly;
    live.current.player?.setOverview(keyOnly);
    if (live.current.ch !== undefined) client.setRate(live.current.ch, keyOnly ? 'key' : 'full', rateReason.current);
    rateReason.current = 'overview';
  }, [keyOnly, client]);
  const { tt } = useTileText();
  const { message } = AntApp.useApp();
  const exam = useExamStatus(cam?.id);
  // Sound: muted by default, per tile; a WebRTC audio connection only while on (issue 14 item 8).
  const [audioOn, setAudioOn] = useState(false);
  const [audioBusy, setAudioBusy] = useState(false);
  const audio = useRef<TileAudio | null>(null);
  useEffect(() => {
    setAudioOn(false);
    return () => {
      audio.current?.close();
      audio.current = null;
    };
  }, [cam?.id]);
  const toggleAudio = async () => {
    if (!cam || audioBusy) return;
    if (audio.current) {
      audio.current.close();
      audio.current = null;
      setAudioOn(false);
      return;
    }
    setAudioBusy(true);
    try {
      const a = await openTileAudio(cam.id);
      audio.current = a;
      (box.current as (HTMLDivElement & { xcAudio?: TileAudio }) | null)!.xcAudio = a;
      setAudioOn(true);
    } catch (err) {
      void message.warning(tt('audioFailed', { why: errorMessage(err) }));
    } finally {
      setAudioBusy(false);
    }
  };
  // 喊话 (issue 15): the microphone to the camera's speaker while on; a refusal stays shown on the tile.
  const [talkState, setTalkState] = useState<'off' | 'starting' | 'on' | 'refused'>('off');
  const [talkMsg, setTalkMsg] = useState('');
  const talk = useRef<TileTalk | null>(null);
  useEffect(() => {
    setTalkState('off');
    setTalkMsg('');
    return () => {
      talk.current?.close();
      talk.current = null;
    };
  }, [cam?.id]);
  const toggleTalk = async () => {
    if (!cam || talkState === 'starting') return;
    if (talk.current) {
      talk.current.close();
      talk.current = null;
      setTalkState('off');
      setTalkMsg('');
      return;
    }
    setTalkState('starting');
    setTalkMsg(tt('talkStarting'));
    try {
      const x = await openTileTalk(cam.id);
      talk.current = x;
      x.onEnded = () => {
        if (talk.current !== x) return;
        talk.current = null;
        setTalkState('refused');
        setTalkMsg(tt('talkEnded'));
      };
      (box.current as (HTMLDivElement & { xcTalk?: TileTalk }) | null)!.xcTalk = x;
      setTalkState('on');
      setTalkMsg(tt('talkOn'));
    } catch (err) {
      const why = err instanceof DOMException ? tt('talkNoMic', { why: err.message }) : errorMessage(err);
      setTalkState('refused');
      setTalkMsg(lang === 'zh' ? chineseHead(why) : why);
      void message.warning(tt('talkFailed', { why }));
    }
  };
  const snapshot = async () => {
    const v = video.current;
    if (!cam || !v) return;
    try {
      const name = await saveSnapshot(v, cam);
      if (name) void message.success(tt('snapshotSaved', { name }));
      else void message.warning(tt('snapshotNone'));
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);

  useEffect(() => {
    const v = video.current;
    if (!cam || !v) {
      setState('idle');
      return;
    }
    if (!visible) {
      setState('paused');
      return;
    }
    let cancelled = false;
    let ch: number | undefined;
    setState('connecting');
    setRefusal('');
    const player = new MsePlayer(v, {
      onFrame: () => {
        lastFrame.current = Date.now();
        setState((s) => (s === 'online' ? s : 'online'));
      },
      onState: (s, reason) => {
        if (s === 'error' || s === 'disconnected' || s === 'stopped') setState('offline');
        else if (s === 'refused' && reason === 'unsupported_source' && wantStream === 'sub') setFallback(true);
        else if (s === 'refused') {
          setState('refused');
          // A server message (a token refused on reconnect) is shown; a bare code (no_access) is not.
          if (reason && !/^[a-z_]+$/.test(reason)) setRefusal(reason);
        } else if (s === 'unsupported') setState('unsupported');
        else if (s === 'connecting') setState((p) => (p === 'online' ? 'offline' : 'connecting'));
      },
    }, { wallTiles: tiles.current });
    (v as HTMLVideoElement & { xcPlayer?: MsePlayer }).xcPlayer = player;
    player.setOverview(rate.current);
    live.current = { player };
    const name = `${cam.roomName} · ${cam.name}`;
    const ungovern = pageGovernor.register({
      priority: () => prio.current,
      wantsFull: () => wantsFull.current,
      pictures: () => (player.firstFrameAtMs ? player.pictures() : undefined),
      setDegraded: (on, why) => {
        rateReason.current = on ? 'degraded' : 'restored';
        // Logged in the browser; the server logs the rate change with its reason (ws-session.ts).
        if (on) console.info(`[wall] ${name}: 画面降帧 — ${why.lostPct}% of pictures lost in ${why.windowS} s, keyframes only until the page has headroom`);
        else console.info(`[wall] ${name}: full frame rate again`);
        setDegraded(on ? why : null);
      },
    });
    tokens.get([cam.id], wantStream).then(
      async (token) => {
        if (cancelled) return;
        ch = await client.subscribe(cam.id, wantStream, token, player, rate.current ? 'key' : 'full');
        if (cancelled) client.unsubscribe(ch);
        else {
          live.current.ch = ch;
          client.setRate(ch, rate.current ? 'key' : 'full'); // changed while subscribing
        }
      },
      (err: unknown) => {
        setRefusal(err instanceof Error ? err.message : '');
        setState('refused');
      },
    );
    // No frame for 3 s: show the loss now, not when the server's stall timer fires. An overview
    // tile gets one frame per GOP (cameras' GOPs run to 4–5 s): 10 s.
    const watchdog = window.setInterval(() => {
      if (lastFrame.current && Date.now() - lastFrame.current > (rate.current ? 10_000 : 3000)) setState((s) => (s === 'online' ? 'offline' : s));
    }, 500);
    return () => {
      cancelled = true;
      ungovern();
      setDegraded(null);
      window.clearInterval(watchdog);
      if (ch !== undefined) client.unsubscribe(ch);
      player.destroy();
      live.current = {};
      lastFrame.current = 0;
    };
  }, [cam, visible, wantStream, client, tokens]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const raw = e.dataTransfer.getData(DRAG_TYPE);
    if (raw && onDropCameras) onDropCameras(index, JSON.parse(raw) as number[]);
  };

  const label: Record<TileState, string> = {
    idle: t('wallDrop'), connecting: t('wallConnecting'), online: t('wallOnline'), offline: t('wallOffline'),
    refused: t('wallRefused'), unsupported: t('wallUnsupported'), paused: t('wallPaused'),
  };
  const cls = `xc-tile xc-tile-${state}${over ? ' xc-tile-over' : ''}${big ? ' xc-tile-big' : ''}${selected ? ' xc-tile-selected' : ''}`;
  return (
    <div
      ref={box}
      className={cls}
      data-testid={`wall-tile-${index}`}
      data-camera-id={cam?.id ?? ''}
      data-state={state}
      data-rate={cam ? (keyOnly ? 'key' : 'full') : undefined}
      data-degraded={degraded ? 'true' : undefined}
      onClick={() => onSelect?.(index)}
      onDragOver={(e) => {
        if (onDropCameras) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      onDoubleClick={() => cam && onOpen?.(cam)}
      title={cam && onOpen ? t('wallFullHint') : undefined}
    >
      <video ref={video} muted playsInline autoPlay className="xc-tile-video" />
      {cam && (
        <div className="xc-tile-top">
          <span className="xc-tile-name" title={`${cam.roomName} · ${cam.name}`}>{cam.roomName} · {cam.name}</span>
          <span className="xc-tile-tags">
            {exam && (
              <span
                className={`xc-tile-exam xc-exam-${exam.state}`}
                data-testid="tile-exam"
                data-exam-state={exam.state}
                title={exam.examName ? tt('examTip', { exam: exam.examName, subject: exam.subject ?? '', from: formatBeijing(exam.startMs ?? 0).slice(11, 16), to: formatBeijing(exam.endMs ?? 0).slice(11, 16) }) : undefined}
              >
                {tt(`exam_${exam.state}`)}
              </span>
            )}
            {cameraStateKind(status) === 'recording' && <span className="xc-tile-rec">● {t('wallRecording')}</span>}
            {cameraStateKind(status) === 'error' && (
              <span className="xc-tile-state xc-s-offline" data-testid="tile-camera-error" title={`${sinceText(status, c)} ${status?.detail ?? ''}`}>
                {cameraStateText(status, lang, c)}
              </span>
            )}
            {degraded && (
              <span className="xc-tile-degraded" data-testid="tile-degraded" title={c('wallDegradedTip', { pct: degraded.lostPct, s: degraded.windowS })}>
                {c('wallDegraded')}
              </span>
            )}
            <span className={`xc-tile-state xc-s-${state}`} data-testid="tile-state">{state === 'offline' ? t('wallLost') : label[state]}</span>
          </span>
        </div>
      )}
      {cam && state !== 'online' && (
        <div className="xc-tile-center">
          {/* A refusal with its reason: the state badge above already says 无权查看. */}
          {!(state === 'refused' && refusal) && <span className="xc-tile-msg">{label[state]}</span>}
          {state === 'refused' && refusal && <span className="xc-tile-msg xc-tile-refusal" data-testid="tile-refusal" title={refusal}>{lang === 'zh' ? chineseOnly(refusal) : refusal}</span>}
        </div>
      )}
      {!cam && <div className="xc-tile-center xc-tile-empty">{label.idle}</div>}
      {cam && <TilePtz cameraId={cam.id} />}
      {/* A refused tile shows why: 标记事件 (of a picture nobody sees) would cover the reason. */}
      {cam && state !== 'refused' && <MarkIncidentButton cameraIds={[cam.id]} source="live" className="xc-tile-mark" style={{ position: 'absolute', right: 6, bottom: 56, opacity: 0.85 }} />}
      {cam && (
        <div className="xc-tile-bottom">
          {wantStream !== stream ? <span className="xc-tile-fallback" data-testid="tile-fallback">{c('subFallback')}</span> : <span>{stream === 'main' ? t('wallMain') : t('wallSub')}{overview && ` · ${c('wallOverviewTag')}`}</span>}
          {talkState !== 'off' && <span className={`xc-tile-talk xc-tile-talk-${talkState}`} data-testid="tile-talk-state" title={talkMsg}>{talkMsg}</span>}
          <span className="xc-tile-tools" onDoubleClick={(e) => e.stopPropagation()}>
            <button type="button" className="xc-tile-tool" title={tt('snapshot')} aria-label={tt('snapshot')} data-testid="tile-snapshot" disabled={state !== 'online'} onClick={() => void snapshot()}>
              <CameraOutlined />
            </button>
            <button
              type="button"
              className={`xc-tile-tool${audioOn ? ' xc-tile-tool-on' : ''}`}
              title={audioOn ? tt('audioOff') : tt('audioOn')}
              aria-label={audioOn ? tt('audioOff') : tt('audioOn')}
              aria-pressed={audioOn}
              data-testid="tile-audio"
              data-audio={audioOn ? 'on' : 'off'}
              disabled={audioBusy}
              onClick={() => void toggleAudio()}
            >
              {audioOn ? <SoundOutlined /> : <MutedOutlined />}
            </button>
            <button
              type="button"
              className={`xc-tile-tool${talkState === 'on' ? ' xc-tile-tool-on' : ''}`}
              title={talkState === 'on' ? tt('talkStop') : tt('talk')}
              aria-label={talkState === 'on' ? tt('talkStop') : tt('talk')}
              aria-pressed={talkState === 'on'}
              data-testid="tile-talk"
              data-talk={talkState}
              disabled={talkState === 'starting'}
              onClick={() => void toggleTalk()}
            >
              <AudioOutlined /> {tt('talk')}
            </button>
          </span>
          <span className="xc-tile-clock">{formatBeijing(now)}</span>
        </div>
      )}
    </div>
  );
}
