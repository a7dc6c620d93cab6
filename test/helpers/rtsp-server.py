#!/usr/bin/python3
"""A real RTSP server for Argus integration tests: GStreamer's RTSP server serving a video file in
an endless loop. Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and the GStreamer plugins.

Usage: rtsp-server.py PORT [--path /stream] [--file clip.mp4] [--auth user:password]
PORT 0 lets the OS pick a free port (no race between choosing and binding). Prints
"READY <port>" once listening; exits 0 on SIGTERM or SIGINT.
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

DEFAULT_FILE = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'face_recognition', 'short_hamilton_clip.mp4')
# A fixed size and rate: the RTSP side never renegotiates when the file loops.
RAW = 'video/x-raw,format=I420,width={w},height={h},pixel-aspect-ratio=1/1'


def main():
    p = argparse.ArgumentParser()
    p.add_argument('port', type=int)
    p.add_argument('--path', default='/stream')
    p.add_argument('--file', default=DEFAULT_FILE)
    p.add_argument('--auth', help='user:password; clients without them get 401')
    p.add_argument('--size', default='640x360')
    p.add_argument('--fps', type=int, default=15)
    a = p.parse_args()
    w, h = a.size.split('x')
    Gst.init(None)
    loop = GLib.MainLoop()
    channel = 'argus%d' % os.getpid()

    # The file plays in its own pipeline, rewound on EOS; intervideosrc on the RTSP side is a live
    # source with its own clock, so clients see one endless stream with monotonic timestamps.
    player = Gst.parse_launch(
        'filesrc location="%s" ! decodebin ! videoconvert ! videoscale add-borders=true ! %s '
        '! intervideosink channel=%s' % (a.file, RAW.format(w=w, h=h), channel))

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.EOS:
            player.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0)
        elif msg.type == Gst.MessageType.ERROR:
            print('player error: %s' % (msg.parse_error()[0].message,), file=sys.stderr, flush=True)
            loop.quit()
    bus = player.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_message)

    factory = GstRtspServer.RTSPMediaFactory()
    # key-int-max: a keyframe every second, so a new client decodes its first frame quickly.
    factory.set_launch(
        '( intervideosrc channel=%s ! %s,framerate=%d/1 ! x264enc tune=zerolatency speed-preset=ultrafast '
        'key-int-max=%d bitrate=800 ! rtph264pay name=pay0 pt=96 config-interval=1 )'
        % (channel, RAW.format(w=w, h=h), a.fps, a.fps))
    factory.set_shared(True)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(a.port))
    if a.auth:
        user, password = a.auth.split(':', 1)
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string('media.factory.role', user)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role(user, 'media.factory.access', True)
        perms.add_permission_for_role(user, 'media.factory.construct', True)
        factory.set_permissions(perms)
    server.get_mount_points().add_factory(a.path, factory)
    if server.attach(None) == 0:
        print('cannot listen on 127.0.0.1:%d' % a.port, file=sys.stderr, flush=True)
        return 1
    player.set_state(Gst.State.PLAYING)
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print('READY %d' % server.get_bound_port(), flush=True)
    loop.run()
    player.set_state(Gst.State.NULL)
    return 0


if __name__ == '__main__':
    sys.exit(main())
