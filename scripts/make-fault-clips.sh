#!/usr/bin/env bash
# Generates the simulator's picture-fault clips in assets/clips/ (run once; the output is committed).
# Used by the simulator's `picture` fault (src/sim/fault-clips.ts) so readiness checks can be tested
# against what a real camera shows when it is covered, out of focus, dark, frozen or turned away:
#
#   bash scripts/make-fault-clips.sh [outdir]      # default: assets/clips
#
#   fault-black.h264    lens capped / no light: black picture
#   fault-covered.h264  something in front of the lens: uniform grey
#   fault-blur.h264     out of focus: the normal scene heavily blurred
#   fault-frozen.h264   picture stuck: one GOP of a still picture sent again and again (identical
#                       pictures, as from a hung image processor; only the camera's clock moves)
#   fault-moved.h264    camera turned: the normal scene upside down and mirrored
#   fault-silence.aac / fault-silence.alaw   microphone dead: digital silence (the `silence` fault)
#
# Same stream structure as main.h264 (1280x720, 25 fps, 10 s, GOP 50, no B-frames, AUD before every
# access unit, SPS/PPS before every IDR), so the simulator can switch to them at a keyframe.
set -euo pipefail

OUT="${1:-$(cd "$(dirname "$0")/.." && pwd)/assets/clips}"
mkdir -p "$OUT"
FFMPEG="${FFMPEG:-ffmpeg}"
FPS=25
LEN=10
GOP=50
SCENE="testsrc2=size=1280x720:rate=$FPS:duration=$LEN,format=yuv420p"
X264="keyint=$GOP:min-keyint=$GOP:scenecut=0:bframes=0:aud=1:repeat-headers=1:threads=1:sliced-threads=0:nal-hrd=none"

enc() { # name, lavfi graph
  "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$2" -frames:v $((FPS * LEN)) \
    -c:v libx264 -profile:v main -level 3.1 -preset medium -b:v 1M -maxrate 1.2M -bufsize 1M \
    -x264-params "$X264" -bsf:v filter_units=remove_types=6 -f h264 "$OUT/fault-$1.h264"
}
enc black "color=c=black:size=1280x720:rate=$FPS:duration=$LEN,format=yuv420p"
enc covered "color=c=0x7f7f7f:size=1280x720:rate=$FPS:duration=$LEN,format=yuv420p"
enc blur "$SCENE,boxblur=luma_radius=24:luma_power=3"
enc frozen "$SCENE,trim=end_frame=1,loop=loop=-1:size=1:start=0,setpts=N/$FPS/TB"
# Keep the first GOP only and repeat it: every keyframe decodes to the same picture.
"$FFMPEG" -hide_banner -loglevel error -y -i "$OUT/fault-frozen.h264" -frames:v $GOP -c copy -f h264 "$OUT/fault-frozen.gop.h264"
for _ in $(seq 1 $((LEN * FPS / GOP))); do cat "$OUT/fault-frozen.gop.h264"; done > "$OUT/fault-frozen.h264"
rm -f "$OUT/fault-frozen.gop.h264"
enc moved "$SCENE,hflip,vflip"
ls -l "$OUT"/fault-*.h264

# Silence (microphone dead or unplugged): same formats as audio.aac / audio.alaw, digital silence.
"$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "anullsrc=sample_rate=48000:channel_layout=mono,atrim=duration=$LEN" \
  -map 0:a -ar 16000 -ac 1 -c:a aac -b:a 32k -f adts "$OUT/fault-silence.aac" \
  -map 0:a -ar 8000 -ac 1 -c:a pcm_alaw -f alaw "$OUT/fault-silence.alaw"
ls -l "$OUT"/fault-silence.*
