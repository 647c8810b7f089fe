"""The W3C Compositing and Blending Level 1 formulas for every OpenRaster composite-op, on planes.

All arrays are premultiplied float32 planes: colour (3, ...) and alpha (...). The reference compositor
and the fast planar one both call blend_planes for the modes without a hand-tuned kernel, so the two
agree bit for bit. Separable and non-separable modes use the general formula
    co = cs·(1 − ab) + cb·(1 − as) + as·ab·B(Cb, Cs),  ao = as + ab·(1 − as)
with B on unpremultiplied colours; the Porter-Duff operators are co = cs·Fa + cb·Fb, ao = as·Fa + ab·Fb.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glide_desktop.document.layer import BlendMode as M

Planes = np.ndarray
_F = np.float32
_ONE, _HALF, _TWO = _F(1.0), _F(0.5), _F(2.0)



def _divide(a: Planes, b: Planes) -> Planes:
    """a / b where b > 0, else 0 (unpremultiplying a transparent pixel gives black)."""
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


# ---------------------------------------------------------------- separable B(Cb, Cs)

def _multiply(cb: Planes, cs: Planes) -> Planes:
    return cb * cs


def _screen(cb: Planes, cs: Planes) -> Planes:
    return cb + cs - cb * cs


def _hard_light(cb: Planes, cs: Planes) -> Planes:
    return np.where(cs <= _HALF, _multiply(cb, _TWO * cs), _screen(cb, _TWO * cs - _ONE))


def _overlay(cb: Planes, cs: Planes) -> Planes:
    return _hard_light(cs, cb)


def _color_dodge(cb: Planes, cs: Planes) -> Planes:
    with np.errstate(divide="ignore", invalid="ignore"):
        dodged = np.minimum(_ONE, cb / (_ONE - cs))
    return np.where(cb == 0, _F(0.0), np.where(cs >= _ONE, _ONE, dodged))


def _color_burn(cb: Planes, cs: Planes) -> Planes:
    with np.errstate(divide="ignore", invalid="ignore"):
        burnt = _ONE - np.minimum(_ONE, (_ONE - cb) / cs)
    return np.where(cb >= _ONE, _ONE, np.where(cs <= 0, _F(0.0), burnt))


def _soft_light(cb: Planes, cs: Planes) -> Planes:
    d = np.where(cb <= _F(0.25), ((_F(16.0) * cb - _F(12.0)) * cb + _F(4.0)) * cb, np.sqrt(cb))
    darker = cb - (_ONE - _TWO * cs) * cb * (_ONE - cb)
    lighter = cb + (_TWO * cs - _ONE) * (d - cb)
    return np.where(cs <= _HALF, darker, lighter)


SEPARABLE: dict[M, Callable[[Planes, Planes], Planes]] = {
    M.MULTIPLY: _multiply,
    M.SCREEN: _screen,
    M.OVERLAY: _overlay,
    M.DARKEN: np.minimum,
    M.LIGHTEN: np.maximum,
    M.COLOR_DODGE: _color_dodge,
    M.COLOR_BURN: _color_burn,
    M.HARD_LIGHT: _hard_light,
    M.SOFT_LIGHT: _soft_light,
    M.DIFFERENCE: lambda cb, cs: np.abs(cb - cs),
    M.EXCLUSION: lambda cb, cs: cb + cs - _TWO * cb * cs,
}


# ---------------------------------------------------------------- non-separable B(Cb, Cs)

def _lum(c: Planes) -> Planes:
    return _F(0.3) * c[0] + _F(0.59) * c[1] + _F(0.11) * c[2]


def _clip_color(c: Planes) -> Planes:
    lum = _lum(c)
    low, high = c.min(axis=0), c.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        raised = lum + (c - lum) * lum / (lum - low)
        c = np.where(low < 0, raised, c)
        lowered = lum + (c - lum) * (_ONE - lum) / (high - lum)
        return np.where(high > _ONE, lowered, c)


def _set_lum(c: Planes, lum: Planes) -> Planes:
    return _clip_color(c + (lum - _lum(c)))


def _sat(c: Planes) -> Planes:
    return c.max(axis=0) - c.min(axis=0)


def _set_sat(c: Planes, sat: Planes) -> Planes:
    low, high = c.min(axis=0), c.max(axis=0)
    spread = high - low
    return np.where(spread > 0, _divide((c - low) * sat, np.broadcast_to(spread, c.shape)), _F(0.0))


NON_SEPARABLE: dict[M, Callable[[Planes, Planes], Planes]] = {
    M.HUE: lambda cb, cs: _set_lum(_set_sat(cs, _sat(cb)), _lum(cb)),
    M.SATURATION: lambda cb, cs: _set_lum(_set_sat(cb, _sat(cs)), _lum(cb)),
    M.COLOR: lambda cb, cs: _set_lum(cs, _lum(cb)),
    M.LUMINOSITY: lambda cb, cs: _set_lum(cb, _lum(cs)),
}


# ---------------------------------------------------------------- Porter-Duff: (Fa, Fb) from (as, ab)

_ZERO = _F(0.0)
PORTER_DUFF: dict[M, Callable[[Planes, Planes], tuple[Planes | np.float32, Planes | np.float32]]] = {
    M.DST_OVER: lambda a_s, ab: (_ONE - ab, _ONE),
    M.SRC_IN: lambda a_s, ab: (ab, _ZERO),
    M.DST_IN: lambda a_s, ab: (_ZERO, a_s),
    M.SRC_OUT: lambda a_s, ab: (_ONE - ab, _ZERO),
    M.DST_OUT: lambda a_s, ab: (_ZERO, _ONE - a_s),
    M.SRC_ATOP: lambda a_s, ab: (ab, _ONE - a_s),
    M.DST_ATOP: lambda a_s, ab: (_ONE - ab, a_s),
    M.XOR: lambda a_s, ab: (_ONE - ab, _ONE - a_s),
}


def blend_planes(cb: Planes, ab: Planes, cs: Planes, a_s: Planes, mode: M) -> tuple[Planes, Planes]:
    """Premultiplied result (colour (3, ...), alpha (...)) of source cs, a_s over backdrop cb, ab."""
    if mode in PORTER_DUFF:
        fa, fb = PORTER_DUFF[mode](a_s, ab)
        return cs * fa + cb * fb, a_s * fa + ab * fb
    if mode is M.PLUS:  # svg:plus: add and clamp (W3C "plus-lighter")
        return np.minimum(cs + cb, _ONE), np.minimum(a_s + ab, _ONE)
    mix = SEPARABLE.get(mode) or NON_SEPARABLE.get(mode)
    if mix is None:  # NORMAL
        return cs + cb * (_ONE - a_s), a_s + ab * (_ONE - a_s)
    straight_b = _divide(cb, np.broadcast_to(ab, cb.shape))
    straight_s = _divide(cs, np.broadcast_to(a_s, cs.shape))
    mixed = mix(straight_b, straight_s)
    colour = cs * (_ONE - ab) + cb * (_ONE - a_s) + (a_s * ab) * mixed
    return colour, a_s + ab * (_ONE - a_s)
