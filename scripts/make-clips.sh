#!/usr/bin/env bash
# Generates the camera-simulator clips in assets/clips/ (run once; the output is committed).
#
#   bash scripts/make-clips.sh [outdir]      # default: assets/clips
#
# Every video clip is a 10 s loop (250 frames at 25 fps, GOP 50, no B-frames, pts = dts) of the
# same synthetic picture (testsrc2 + text), carrying the frame number within the clip:
#   - as text ("frame 123") in the middle of the picture;
#   - machine-readable: 16 black/white blocks along the top-left edge, most significant bit first,
#     each block W/32 pixels square (40x40 at 1280x720, 20x20 at 640x360), white = 1.
#     Decode with readFrameCode() in src/sim/frame-code.ts.
# Video clips are raw Annex-B elementary streams with an AUD before every access unit and
# SPS/PPS (VPS for H.265) repeated before every IDR, like Hikvision/Dahua cameras send them.
#
# Outputs:
#   main.h264   1280x720 H.264 Main@3.1 ~2 Mb/s
#   sub.h264    640x360  H.264 Main@3.0 ~512 kb/s
#   main.h265   1280x720 H.265 Main     ~1 Mb/s
#   audio.aac   ADTS AAC-LC 16 kHz mono, 1 kHz tone with a 2 kHz beep at the start of every second
#   audio.alaw  raw G.711 A-law 8 kHz mono, same tone (80000 bytes = exactly 10 s)
#   clips.json  description of each clip (written by this script)
#
# Reproducible: single-threaded encoders, fixed parameters, no encoder SEI (x264 "info" SEI is
# stripped, x265 info=0); the exact bytes depend only on the ffmpeg/x264/x265 versions.
set -euo pipefail

OUT="${1:-$(cd "$(dirname "$0")/.." && pwd)/assets/clips}"
mkdir -p "$OUT"
FFMPEG="${FFMPEG:-ffmpeg}"
FFPROBE="${FFPROBE:-ffprobe}"
FPS=25
SECONDS_LEN=10
GOP=50
FRAMES=$((FPS * SECONDS_LEN))

# --- Picture: testsrc2 background, frame-number text, 16-bit block code at the top. ---
B=40 # block size at 1280x720 (= width/32)
CODE="drawbox=x=0:y=0:w=$((16 * B)):h=$B:color=black:t=fill"
for i in $(seq 0 15); do
  bit=$((15 - i))
  CODE="$CODE,drawbox=x=$((i * B)):y=0:w=$B:h=$B:color=white:t=fill:enable='mod(floor(n/$((1 << bit))),2)'"
done
TEXT="drawtext=font=DejaVu Sans Mono:fontsize=64:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8:x=(w-text_w)/2:y=(h-text_h)/2:text='frame %{eif\:n\:d\:3}'"
LABEL="drawtext=font=DejaVu Sans Mono:fontsize=28:fontcolor=yellow:box=1:boxcolor=black@0.6:boxborderw=6:x=w-text_w-20:y=60:text='xuncha sim'"
SRC="testsrc2=size=1280x720:rate=$FPS:duration=$SECONDS_LEN,format=yuv420p,$TEXT,$LABEL,$CODE"

X264_COMMON="keyint=$GOP:min-keyint=$GOP:scenecut=0:bframes=0:aud=1:repeat-headers=1:threads=1:sliced-threads=0:nal-hrd=none"

"$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$SRC" -filter_complex "[0:v]split=3[a][b][c];[b]scale=640:360:flags=area[s]" \
  -map '[a]' -c:v libx264 -profile:v main -level 3.1 -preset medium -b:v 2M -maxrate 2.2M -bufsize 2M \
    -x264-params "$X264_COMMON" -bsf:v filter_units=remove_types=6 -f h264 "$OUT/main.h264" \
  -map '[s]' -c:v libx264 -profile:v main -level 3.0 -preset medium -b:v 512k -maxrate 600k -bufsize 512k \
    -x264-params "$X264_COMMON" -bsf:v filter_units=remove_types=6 -f h264 "$OUT/sub.h264" \
  -map '[c]' -c:v libx265 -preset fast -b:v 1M \
    -x265-params "keyint=$GOP:min-keyint=$GOP:scenecut=0:bframes=0:open-gop=0:aud=1:repeat-headers=1:info=0:pools=1:frame-threads=1:log-level=error" \
    -f hevc "$OUT/main.h265"

# --- Audio: 1 kHz tone with a short 2 kHz beep at the start of every second (sine beep_factor). ---
TONE="sine=frequency=1000:beep_factor=2:sample_rate=48000:duration=$SECONDS_LEN,volume=0.3"
"$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$TONE" \
  -map 0:a -ar 16000 -ac 1 -c:a aac -b:a 32k -f adts "$OUT/audio.aac" \
  -map 0:a -ar 8000 -ac 1 -c:a pcm_alaw -f alaw "$OUT/audio.alaw"

# --- clips.json ---
count_frames() { "$FFPROBE" -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
count_aac() { "$FFPROBE" -v error -select_streams a:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }
size() { stat -c %s "$1"; }
MAIN_FRAMES=$(count_frames "$OUT/main.h264")
SUB_FRAMES=$(count_frames "$OUT/sub.h264")
H265_FRAMES=$(count_frames "$OUT/main.h265")
AAC_FRAMES=$(count_aac "$OUT/audio.aac")
ALAW_BYTES=$(size "$OUT/audio.alaw")
for n in "$MAIN_FRAMES" "$SUB_FRAMES" "$H265_FRAMES"; do
  [ "$n" = "$FRAMES" ] || { echo "unexpected frame count $n (want $FRAMES)" >&2; exit 1; }
done

cat > "$OUT/clips.json" <<JSON
{
  "generator": "scripts/make-clips.sh",
  "frameCode": { "bits": 16, "blockSize": "width/32", "position": "top-left row, MSB first, white = 1" },
  "clips": {
    "main.h264": { "kind": "video", "codec": "h264", "profile": "Main", "width": 1280, "height": 720, "fps": $FPS, "frames": $MAIN_FRAMES, "gop": $GOP, "bFrames": 0, "bitrate": 2000000, "bytes": $(size "$OUT/main.h264") },
    "sub.h264": { "kind": "video", "codec": "h264", "profile": "Main", "width": 640, "height": 360, "fps": $FPS, "frames": $SUB_FRAMES, "gop": $GOP, "bFrames": 0, "bitrate": 512000, "bytes": $(size "$OUT/sub.h264") },
    "main.h265": { "kind": "video", "codec": "h265", "profile": "Main", "width": 1280, "height": 720, "fps": $FPS, "frames": $H265_FRAMES, "gop": $GOP, "bFrames": 0, "bitrate": 1000000, "bytes": $(size "$OUT/main.h265") },
    "audio.aac": { "kind": "audio", "codec": "aac", "profile": "LC", "container": "adts", "sampleRate": 16000, "channels": 1, "frames": $AAC_FRAMES, "samplesPerFrame": 1024, "bytes": $(size "$OUT/audio.aac") },
    "audio.alaw": { "kind": "audio", "codec": "pcma", "container": "raw", "sampleRate": 8000, "channels": 1, "samples": $ALAW_BYTES, "bytes": $ALAW_BYTES }
  }
}
JSON
echo "clips written to $OUT"
ls -l "$OUT"
