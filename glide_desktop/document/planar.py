"""The fast compositing kernel: small chunks of premultiplied float32 planes, hidden work skipped.

Each chunk (about CHUNK_PIXELS pixels, so every buffer stays in the core's cache) is composited on its
own: layers that are fully transparent there are skipped, layers under an opaque NORMAL layer at full
opacity are skipped, and a chunk showing one layer is copied. The arithmetic is the reference maths of
compositing.py operation for operation (same float32 operations in the same order), written with
out= buffers on channel planes (4, h, w) so every numpy loop runs over contiguous rows.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence

import numpy as np

from glide_desktop.document.blend_modes import blend_planes
from glide_desktop.document.geometry import Rect
from glide_desktop.document.layer import BlendMode, Layer

CHUNK_PIXELS = 1 << 16
CHUNK_WIDTH = 256
_INV255 = np.float32(1.0 / 255.0)
# Dividing by max(alpha, smallest subnormal) equals dividing by alpha wherever alpha > 0, and where
# alpha is 0 the premultiplied colour is 0 too, so the quotient is 0 as the reference demands.
_SMALLEST = np.nextafter(np.float32(0.0), np.float32(1.0))

if sys.byteorder == "little":
    # A pixel read as one uint32 has its alpha in the top byte, so one reduction screens a whole area.
    def _is_clear(pixels: np.ndarray) -> bool:
        return int(pixels.view(np.uint32).max()) < 1 << 24

    def _is_opaque(pixels: np.ndarray) -> bool:
        return int(pixels.view(np.uint32).min()) >= 0xFF000000
else:  # pragma: no cover - big-endian machines
    def _is_clear(pixels: np.ndarray) -> bool:
        return not pixels[..., 3].any()

    def _is_opaque(pixels: np.ndarray) -> bool:
        return bool((pixels[..., 3] == 255).all())


class _Scratch(threading.local):
    """Per-thread flat buffers, reshaped into planes for each chunk (no allocation per chunk)."""

    def __init__(self) -> None:
        self.size = 0

    def ensure(self, pixels: int) -> None:
        if pixels <= self.size:
            return
        self.size = pixels
        self.acc = np.empty(4 * pixels, np.float32)
        self.src = np.empty(4 * pixels, np.float32)
        self.t1 = np.empty(3 * pixels, np.float32)
        self.t2 = np.empty(3 * pixels, np.float32)
        self.u = np.empty(pixels, np.float32)
        self.v = np.empty(pixels, np.float32)
        self.p = np.empty(pixels, np.float32)
        self.mask = np.empty(3 * pixels, np.uint32)


_scratch = _Scratch()


def _planes(buffer: np.ndarray, count: int, h: int, w: int) -> np.ndarray:
    return buffer[: count * h * w].reshape(count, h, w)


def chunks(rect: Rect) -> list[Rect]:
    """rect cut into pieces of at most about CHUNK_PIXELS, row-major."""
    columns = -(-rect.w // CHUNK_WIDTH)
    width = -(-rect.w // columns)
    rows = max(1, CHUNK_PIXELS // width)
    return [Rect.from_edges(x, y, min(rect.right, x + width), min(rect.bottom, y + rows))
            for y in range(rect.y, rect.bottom, rows) for x in range(rect.x, rect.right, width)]


def _stack(layers: Sequence[Layer], rect: Rect) -> tuple[list[tuple[Layer, Rect, np.ndarray]], bool, bool]:
    """The layers that can change rect (bottom to top), whether just one visible layer meets rect
    (found then holds it even when it is clear there), and whether the bottom one is opaque there."""
    found: list[tuple[Layer, Rect, np.ndarray]] = []
    meeting, opaque, cleared, last = 0, False, False, None
    for layer in reversed(layers):
        if not layer.visible or layer.opacity <= 0.0:
            continue
        part = layer.bounds.intersect(rect)
        if part.is_empty():
            if layer.blend.clears_outside:
                cleared = True
                break  # src-in & co: with no pixels here, nothing below survives
            continue
        pixels = layer.shown_pixels(part.slices(*layer.offset))  # the mask applied, once per chunk
        meeting, last = meeting + 1, (layer, part, pixels)
        if _is_clear(pixels):
            if layer.blend.clears_outside:
                cleared = True
                break
            continue  # a transparent source leaves the backdrop exactly as it was in the other modes
        found.append((layer, part, pixels))
        if (layer.blend is BlendMode.NORMAL and layer.opacity == 1.0 and part == rect
                and _is_opaque(pixels)):
            opaque = True
            break  # an opaque NORMAL layer replaces the backdrop exactly: nothing below shows
    found.reverse()
    alone = meeting == 1 and not cleared
    if alone and not found:
        found.append(last)  # the reference copies a lone layer as it is, hidden colour and all
    return found, alone, opaque


def _premultiply_into(pixels: np.ndarray, opacity: float, out: np.ndarray) -> None:
    """Straight uint8 (h, w, 4) to premultiplied float32 planes out (4, h, w), alpha times opacity."""
    np.multiply(pixels.transpose(2, 0, 1), _INV255, out=out)
    if opacity != 1.0:
        out[3] *= np.float32(opacity)
    out[:3] *= out[3]


def _colour_normal(cb, ab, cs, a_s, s) -> None:
    cb *= s.v  # cb * (1 - a_s)
    cb += cs


def _colour_multiply(cb, ab, cs, a_s, s) -> None:
    np.subtract(1.0, ab, out=s.u)
    np.multiply(cs, s.u, out=s.t1)  # cs * (1 - ab)
    np.multiply(cs, cb, out=s.t2)
    cb *= s.v
    cb += s.t1
    cb += s.t2


def _colour_screen(cb, ab, cs, a_s, s) -> None:
    np.multiply(cs, cb, out=s.t1)
    cb += cs
    cb -= s.t1


def _colour_extreme(pick):
    def colour(cb, ab, cs, a_s, s) -> None:
        np.multiply(a_s, cb, out=s.t1)
        np.multiply(ab, cs, out=s.t2)
        pick(s.t1, s.t2, out=s.t1)
        cb += cs
        cb -= s.t1
    return colour


def _colour_overlay(cb, ab, cs, a_s, s) -> None:
    high, low = s.t1, s.t2
    np.multiply(cb, 2.0, out=low)
    np.less_equal(low, ab, out=s.mask, casting="unsafe")  # the backdrop chooses multiply or screen
    np.negative(s.mask, out=s.mask)  # 1 -> all bits set, for a branch-free exact select below
    np.subtract(ab, cb, out=high)
    high *= 2.0
    np.subtract(a_s, cs, out=low)
    high *= low
    np.multiply(a_s, ab, out=s.p)
    np.subtract(s.p, high, out=high)  # a_s*ab - 2*(ab - cb)*(a_s - cs)
    np.multiply(cs, 2.0, out=low)
    low *= cb
    _select(s.mask, low, high)
    np.subtract(1.0, ab, out=s.u)
    np.multiply(cs, s.u, out=low)
    cb *= s.v
    cb += low
    cb += high


def _select(mask: np.ndarray, chosen: np.ndarray, other: np.ndarray) -> None:
    """other = chosen where mask is all ones (uint32), bit for bit; a masked copy is far slower."""
    bits, chosen_bits = other.view(np.uint32), chosen.view(np.uint32)
    np.bitwise_xor(chosen_bits, bits, out=chosen_bits)
    chosen_bits &= mask
    bits ^= chosen_bits


_COLOUR = {
    BlendMode.NORMAL: _colour_normal,
    BlendMode.MULTIPLY: _colour_multiply,
    BlendMode.SCREEN: _colour_screen,
    BlendMode.DARKEN: _colour_extreme(np.maximum),
    BlendMode.LIGHTEN: _colour_extreme(np.minimum),
    BlendMode.OVERLAY: _colour_overlay,
}


class _Views:
    """The scratch buffers shaped for one blend of h x w pixels."""

    def __init__(self, h: int, w: int):
        s = _scratch
        self.t1, self.t2 = _planes(s.t1, 3, h, w), _planes(s.t2, 3, h, w)
        self.mask = _planes(s.mask, 3, h, w)
        self.u, self.v, self.p = (_planes(b, 1, h, w)[0] for b in (s.u, s.v, s.p))


def _blend(backdrop: np.ndarray, source: np.ndarray, mode: BlendMode) -> None:
    """Premultiplied planes source (4, h, w) over backdrop (4, h, w) in place."""
    cb, ab, cs, a_s = backdrop[:3], backdrop[3], source[:3], source[3]
    if mode not in _COLOUR:  # the other W3C modes: the reference's own function, so results agree
        colour, alpha = blend_planes(cb, ab, cs, a_s, mode)
        backdrop[3] = alpha
        backdrop[:3] = colour
        return
    views = _Views(*ab.shape)
    np.subtract(1.0, a_s, out=views.v)
    _COLOUR[mode](cb, ab, cs, a_s, views)
    ab *= views.v  # a_s + ab * (1 - a_s)
    ab += a_s


def _straighten_into(acc: np.ndarray, out: np.ndarray) -> None:
    """Premultiplied planes (4, h, w) to straight uint8 pixels out (h, w, 4), rounded."""
    divisor = _planes(_scratch.v, 1, *acc.shape[1:])[0]
    np.maximum(acc[3], _SMALLEST, out=divisor)
    np.divide(acc[:3], divisor, out=acc[:3])
    np.clip(acc, 0.0, 1.0, out=acc)
    acc *= 255.0
    np.add(acc, 0.5, out=out.transpose(2, 0, 1), casting="unsafe")


def composite_chunk(layers: Sequence[Layer], rect: Rect, out: np.ndarray) -> None:
    """Composite layers over rect (at most about CHUNK_PIXELS) into out (rect.h, rect.w, 4 uint8)."""
    found, alone, opaque = _stack(layers, rect)
    if not found:
        out[...] = 0
        return
    bottom, part, shown = found[0]
    if len(found) == 1 and bottom.opacity == 1.0 and part == rect and bottom.blend.shows_alone:
        out[...] = shown
        if not (alone or opaque):
            _clear_hidden_colour(out)  # what the float path does to fully transparent pixels
        return
    _scratch.ensure(rect.area)
    acc = _planes(_scratch.acc, 4, rect.h, rect.w)
    if part != rect:
        acc.fill(0.0)
    for index, (layer, part, pixels) in enumerate(found):
        target = acc[(slice(None), *part.slices(rect.x, rect.y))]
        if index == 0:
            if layer.blend.shows_alone:
                _premultiply_into(pixels, layer.opacity, target)  # over transparency: the source itself
            else:
                target.fill(0.0)  # dst-in & co over transparency leave nothing
            continue
        source = _planes(_scratch.src, 4, part.h, part.w)
        _premultiply_into(pixels, layer.opacity, source)
        _blend(target, source, layer.blend)
        if layer.blend.clears_outside and part != rect:
            _clear_outside(acc, rect, part)
    _straighten_into(acc, out)


def _clear_outside(acc: np.ndarray, rect: Rect, part: Rect) -> None:
    """Zero the planes acc (4, rect.h, rect.w) everywhere outside part (document coordinates)."""
    top, bottom = part.y - rect.y, part.bottom - rect.y
    left, right = part.x - rect.x, part.right - rect.x
    acc[:, :top] = 0.0
    acc[:, bottom:] = 0.0
    acc[:, top:bottom, :left] = 0.0
    acc[:, top:bottom, right:] = 0.0


def _clear_hidden_colour(out: np.ndarray) -> None:
    hidden = out[..., 3] == 0
    if hidden.any():
        out[hidden] = 0
