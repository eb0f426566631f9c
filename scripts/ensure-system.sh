#!/usr/bin/env bash
# Installs the Debian packages xuncha needs when they are missing (ffmpeg for media checks and
# exports; chromium and CJK fonts for browser tests; PostgreSQL for the two-database test suite;
# sipp, poppler-utils and GStreamer for interop and report checks)
# and makes sure a PostgreSQL server answers on 127.0.0.1:5432.
# Usage: scripts/ensure-system.sh [runtime|test]
set -euo pipefail
mode=${1:-test}
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
  command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
  command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
  # pdftotext reads the completeness report PDFs back in test/exams.
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  # unzip checks the .zip export package (test/playback/export.test.ts).
  command -v unzip >/dev/null 2>&1 || need+=(unzip)
  # GStreamer rtsp-server as an independent camera (test/interop/gstreamer): python3-gi bindings,
  # videotestsrc/audiotestsrc (base), rtp payloaders + alawenc (good), x264enc (ugly), avenc_aac (libav).
  for p in python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need[*]} (run as root or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "$mode" = test ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    if [ -z "$ver" ]; then echo "PostgreSQL is installed but has no cluster" >&2; exit 1; fi
    echo "starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # The suite connects as postgres/postgres over TCP: works with trust auth and with Debian's
  # default scram auth once the password is set.
  if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    su postgres -c "psql -q -c \"alter user postgres password 'postgres'\"" >/dev/null
  fi
fi
