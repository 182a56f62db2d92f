"""Small media files for the upload tests, made here: real headers, tiny bodies.

Images come from Pillow; the sound and video files carry the signatures their formats start
with (an MP3 frame after an ID3 tag, an Ogg page, an MP4/M4A ``ftyp`` box, a WebM EBML header),
which is all content sniffing reads.
"""

from __future__ import annotations

import io
import struct
import wave

from PIL import Image


def image(fmt: str, size: tuple[int, int] = (8, 6)) -> bytes:
    """An image in Pillow's format ``fmt`` ("PNG", "JPEG", "WEBP", "GIF")."""
    out = io.BytesIO()
    Image.new("RGB", size, (47, 111, 94)).save(out, fmt)
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\0\0" * 800)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(padding: int = 100) -> bytes:
    return (_box(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41") + _box(b"free", b"")
            + _box(b"mdat", b"\0" * padding))


def m4a() -> bytes:
    return _box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom") + _box(b"mdat", b"\0" * 100)


def webm(padding: int = 100) -> bytes:
    header = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d4287810442"
                           "858102")
    return header + b"\0" * padding


def ogg() -> bytes:
    return b"OggS\x00\x02" + b"\0" * 20 + b"\x01\x1e\x01vorbis" + b"\0" * 100


def mp3(padding: int = 400) -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\0" * padding


def vtt() -> bytes:
    return b"WEBVTT\n\n00:00.000 --> 00:02.000\nWelkom bij deze module.\n"


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">'
       b'<title>Een zon</title><circle cx="5" cy="5" r="4" fill="#FFD98A"/></svg>')
