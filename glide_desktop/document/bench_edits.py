"""Benchmark rows for the editing operations: adjustment preview and whole-image transform times.

Used by document/bench.py on its big document (6000 × 4000, 8 layers by default).
"""

from __future__ import annotations

import time

from glide_desktop.document.adjust_preview import AdjustmentPreview
from glide_desktop.document.adjustments import (
    BrightnessContrast,
    Curves,
    HueSaturation,
    Levels,
    LevelsChannel,
)
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.selection import ellipse_coverage
from glide_desktop.document.transform_commands import TransformImage
from glide_desktop.document.transform_ops import Axis, Crop, Flip, Resize, Rotate

ADJUSTMENTS = (
    ("Hue/Saturation", HueSaturation(30, 20, 10)),
    ("Brightness/Contrast", BrightnessContrast(20, 30)),
    ("Levels", Levels({"rgb": LevelsChannel(10, 240, 1.2), "red": LevelsChannel(out_white=230)})),
    ("Curves", Curves({"rgb": ((0, 0), (64, 80), (192, 210), (255, 255))})),
)


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def adjustment_rows(doc: Document) -> list[tuple[str, str, str]]:
    """First band recomposited (what the canvas shows first) and the whole layer, on the bottom layer."""
    layer = doc.layers[0]
    megapixels = layer.width * layer.height / 1e6
    rows = []
    for name, adjustment in ADJUSTMENTS:
        preview = AdjustmentPreview(doc, layer.uid, Rect(0, 0, layer.width, layer.height), None)
        preview.show(adjustment)
        band = Rect(0, 0, doc.width, preview.band_rows)
        first = _timed(lambda p=preview, b=band: (p.step(), doc.composite(b)))  # what the canvas waits for
        whole = first + _timed(preview.finish)
        preview.cancel()
        rows.append((f"{name} preview, first band", f"{first * 1000:.0f} ms", "< 100 ms"))
        rows.append((f"{name} preview, {megapixels:.0f} MP layer", f"{whole:.2f} s", ""))
    doc.selection.combine("replace", ellipse_coverage(doc.size, (doc.width / 4, doc.height / 4,
                                                                 doc.width / 2, doc.height / 2)))
    doc.selection.feather(20)
    doc.set_active(layer.uid)
    preview = AdjustmentPreview.for_active_layer(doc)
    preview.show(ADJUSTMENTS[3][1])
    soft = _timed(preview.finish)
    preview.cancel()
    doc.selection.clear()
    rows.append(("Curves preview, feathered ellipse", f"{soft:.2f} s", ""))
    return rows


def transform_rows(doc: Document) -> list[tuple[str, str, str]]:
    """Apply (and undo) each image operation on the whole document."""
    width, height = doc.size
    ops = (
        ("Rotate 90° right", Rotate(1)),
        ("Flip horizontal", Flip(Axis.HORIZONTAL)),
        ("Crop to centre half", Crop(Rect(width // 4, height // 4, width // 2, height // 2))),
        ("Image size 50 % (Lanczos)", Resize(width // 2, height // 2)),
    )
    rows = []
    for name, op in ops:
        command = TransformImage(op, name)
        apply_s = _timed(lambda c=command: c.redo(doc))
        undo_s = _timed(lambda c=command: c.undo(doc))
        rows.append((f"{name}, {len(doc.layers)} layers", f"{apply_s:.2f} s", f"undo {undo_s:.2f} s"))
    return rows
