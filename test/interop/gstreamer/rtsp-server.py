#!/usr/bin/python3
# An independent RTSP camera for interop tests: GStreamer's rtsp-server (libgstrtspserver through
# python3-gi; the Debian packages are installed by scripts/ensure-system.sh). Run it with the
# system interpreter, /usr/bin/python3: python3-gi is not importable from pyenv/venv pythons.
#
# Usage: rtsp-server.py PORT [none|basic|digest] [SESSION_TIMEOUT_S]
# Mounts, all 640x360 H.264 (constrained baseline) at 25 fps with a key frame every 50 frames.
# As x264 + rtph264pay send it: SPS/PPS in the SDP (sprop-parameter-sets) and in band before each
# IDR, an access unit delimiter and two slices per picture (sliced threads), an SEI in the first:
#   /pcma   H.264 + G.711 A-law 8 kHz (RTP/AVP 8)
#   /aac    H.264 + AAC-LC 16 kHz (MPEG4-GENERIC, AAC-hbr)
# With basic or digest, every mount needs user "user", password "secret-pass", and the server
# offers only that scheme. With SESSION_TIMEOUT_S, sessions announce that timeout (Session:
# ...;timeout=N) so that the client's keep-alive runs within a short test; each keep-alive
# (GET_PARAMETER, or OPTIONS inside a session) prints "KEEPALIVE <method>". (GStreamer does not
# expire a session while its RTSP connection stays open, so a missing keep-alive shows only in
# the count.) Prints "READY <port>" once listening; exits on SIGTERM/SIGINT.
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

USER = 'user'
PASSWORD = 'secret-pass'

VIDEO = ('videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=25/1 '
         '! x264enc tune=zerolatency key-int-max=50 speed-preset=ultrafast threads=2 sliced-threads=true '
         '! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96')
AUDIO = {
    '/pcma': 'audiotestsrc is-live=true ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8',
    '/aac': ('audiotestsrc is-live=true ! audio/x-raw,rate=16000,channels=1 ! audioconvert '
             '! avenc_aac ! rtpmp4gpay name=pay1 pt=97'),
}


def role_token(role):
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, role)
    return token


def main():
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else 'none'
    session_timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(port))
    if mode != 'none':
        auth = GstRtspServer.RTSPAuth()
        token = role_token('user')
        if mode == 'basic':
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(USER, PASSWORD), token)
        elif mode == 'digest':
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.add_digest(USER, PASSWORD, token)
        else:
            sys.exit(f'unknown auth mode {mode}')
        server.set_auth(auth)
    mounts = server.get_mount_points()
    for path, audio in AUDIO.items():
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(f'( {VIDEO} {audio} )')
        f.set_shared(False)  # one pipeline per session: each session starts at a key frame
        if mode != 'none':
            perms = GstRtspServer.RTSPPermissions()
            perms.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
            perms.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
            f.set_permissions(perms)
        mounts.add_factory(path, f)

    if session_timeout:
        def keepalive(method):
            def handler(_client, ctx):
                res, _session = ctx.request.get_header(GstRtsp.RTSPHeaderField.SESSION, 0)
                if res == GstRtsp.RTSPResult.OK:
                    print(f'KEEPALIVE {method}', flush=True)
            return handler

        def on_client(_server, client):
            client.connect('new-session', lambda _c, session: session.set_timeout(session_timeout))
            client.connect('get-parameter-request', keepalive('GET_PARAMETER'))
            client.connect('options-request', keepalive('OPTIONS'))
        server.connect('client-connected', on_client)

    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        sys.exit(f'cannot listen on 127.0.0.1:{port}')
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f'READY {server.get_bound_port()}', flush=True)
    loop.run()


if __name__ == '__main__':
    main()
