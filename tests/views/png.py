"""Just enough of PNG to tell a screenshot with something on it from a blank one, with zlib alone.

Filtering is a bijection per row, so an image is a single colour exactly when every filtered row is what filtering
a row of that colour gives: comparing bytes, without decoding the pixels."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # grey, RGB, grey+alpha, RGBA
_NONE, _SUB, _UP, _AVERAGE, _PAETH = range(5)


@dataclass(frozen=True)
class Png:
    width: int
    height: int
    bytes_per_pixel: int
    filtered: bytes  # each row: its filter type byte, then its filtered bytes

    @property
    def single_colour(self) -> bool:
        stride = 1 + self.width * self.bytes_per_pixel
        rows = memoryview(self.filtered)
        first = bytes(rows[1 : 1 + self.bytes_per_pixel])
        return all(rows[i * stride : (i + 1) * stride] == self._uniform_row(i, rows[i * stride], first)
                   for i in range(self.height))

    def _uniform_row(self, index: int, kind: int, pixel: bytes) -> bytes:
        """The filtered row ``index`` of an image all of colour ``pixel``, filtered with ``kind``."""
        rest = self.width - 1
        zeros = bytes(self.bytes_per_pixel * rest)
        if kind == _NONE or (kind == _UP and index == 0):
            return bytes([kind]) + pixel * self.width
        if kind == _SUB or (kind == _PAETH and index == 0):
            return bytes([kind]) + pixel + zeros
        if kind == _AVERAGE:
            if index == 0:  # left neighbour only, halved
                return bytes([kind]) + pixel + bytes((b - b // 2) % 256 for b in pixel) * rest
            return bytes([kind]) + bytes((b - b // 2) % 256 for b in pixel) + zeros
        return bytes([kind]) + bytes(self.bytes_per_pixel) + zeros  # Up or Paeth below the first row


def read_png(data: bytes) -> Png:
    """The rows of an 8-bit, non-interlaced, non-palette PNG (what Chromium writes)."""
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG")
    position, compressed, header = len(_SIGNATURE), b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunk = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            compressed += chunk
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("a PNG without its header")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise ValueError(f"a PNG this reader does not know: depth {depth}, colour type {colour}, interlace {interlace}")
    pixel = _CHANNELS[colour]
    filtered = zlib.decompress(compressed)
    if len(filtered) != (1 + width * pixel) * height:
        raise ValueError("a PNG whose pixel data does not fill its size")
    return Png(width, height, pixel, filtered)
