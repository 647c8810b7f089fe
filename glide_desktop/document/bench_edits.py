"""Benchmark rows for the editing operations: adjustment preview, whole-image transform and Free Transform
times.

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
from glide_desktop.document.affine import Affine
from glide_desktop.document.document import Document
from glide_desktop.document.floating_command import FloatingSelection
from glide_desktop.document.free_transform import FreeTransform, lifted_picture
from glide_desktop.document.free_transform import lift as lift_piece
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


class _Clock:
    """Wall and process CPU seconds of each timed call, added up (CPU shows the work on a busy machine)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __call__(self, work) -> float:
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        return self.wall

    def text(self, unit: str = "s") -> str:
        if unit == "ms":
            return f"{self.wall * 1000:.0f} ms (CPU {self.cpu * 1000:.0f})"
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f})"


def adjustment_rows(doc: Document) -> list[tuple[str, str, str]]:
    """First band recomposited (what the canvas shows first) and the whole layer, on the bottom layer."""
    layer = doc.layers[0]
    megapixels = layer.width * layer.height / 1e6
    rows = []
    for name, adjustment in ADJUSTMENTS:
        preview = AdjustmentPreview(doc, layer.uid, Rect(0, 0, layer.width, layer.height), None)
        preview.show(adjustment)
        band = Rect(0, 0, doc.width, preview.band_rows)
        first, whole = _Clock(), _Clock()
        first(lambda p=preview, b=band: (p.step(), doc.composite(b)))  # what the canvas waits for
        whole.wall, whole.cpu = first.wall, first.cpu
        whole(preview.finish)
        preview.cancel()
        rows.append((f"{name} preview, first band", first.text("ms"), "< 100 ms"))
        rows.append((f"{name} preview, {megapixels:.0f} MP layer", whole.text(), ""))
    doc.selection.combine("replace", ellipse_coverage(doc.size, (doc.width / 4, doc.height / 4,
                                                                 doc.width / 2, doc.height / 2)))
    doc.selection.feather(20)
    doc.set_active(layer.uid)
    preview = AdjustmentPreview.for_active_layer(doc)
    preview.show(ADJUSTMENTS[3][1])
    soft = _Clock()
    soft(preview.finish)
    preview.cancel()
    doc.selection.clear()
    rows.append(("Curves preview, feathered ellipse", soft.text(), ""))
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
        apply, undo = _Clock(), _Clock()
        apply(lambda c=command: c.redo(doc))
        undo(lambda c=command: c.undo(doc))
        rows.append((f"{name}, {len(doc.layers)} layers", apply.text(), f"undo {undo.text()}"))
    return rows + move_selection_rows(doc)


def move_selection_rows(doc: Document) -> list[tuple[str, str, str]]:
    """The Move tool on a big feathered selection of the bottom (photo) layer: lift, then land moved."""
    width, height = doc.size
    layer = doc.layers[0]
    doc.set_active(layer.uid)
    box = (width / 4, height / 4, width / 2, height / 2)
    doc.selection.combine("replace", ellipse_coverage(doc.size, box))
    doc.selection.feather(20)
    megapixels = width * height / 4e6  # the ellipse's box
    lift, land, undo = _Clock(), _Clock(), _Clock()
    step = None

    def start() -> None:  # the piece and hole computed, the hole cut, the piece a layer of its own
        nonlocal step
        step = FloatingSelection.start(doc)
        step.redo(doc)

    lift(start)
    step.move_to(doc, (width // 8, height // 8))
    land(lambda: step.land(doc))
    undo(lambda: step.undo(doc))
    doc.selection.clear()
    return [(f"Move selection lift, {megapixels:.1f} MP feathered ellipse", lift.text(), ""),
            (f"Move selection land (apply), {megapixels:.1f} MP", land.text(), f"undo {undo.text()}")]


def free_transform_rows(doc: Document) -> list[tuple[str, str, str]]:
    """Free Transform of a layer's content: the start (lift and the preview's picture) and apply/undo."""
    photo, block = doc.layers[0], doc.layers[min(1, len(doc.layers) - 1)]
    rows = []
    start = _Clock()
    start(lambda: lifted_picture(doc, photo.uid, lift_piece(photo, None)))
    rows.append((f"Free Transform start, {photo.width}x{photo.height} layer", start.text(), "lift + preview"))
    cases = (
        (block, "scale 120 % + turn 15°", lambda cx, cy: Affine.scaling(1.2, 1.2, cx, cy).then(
            Affine.rotation(15, cx, cy))),
        (photo, "scale 80 % + turn 10°", lambda cx, cy: Affine.scaling(0.8, 0.8, cx, cy).then(
            Affine.rotation(10, cx, cy))),
        (photo, "scale 50 % (Lanczos)", lambda cx, cy: Affine.scaling(0.5, 0.5, cx, cy)),
    )
    for layer, name, make in cases:
        piece = lift_piece(layer, None).rect
        command = FreeTransform(layer.uid, make(piece.x + piece.w / 2, piece.y + piece.h / 2), False)
        apply, undo = _Clock(), _Clock()
        apply(lambda c=command: c.redo(doc))
        undo(lambda c=command: c.undo(doc))
        rows.append((f"Free Transform {piece.w}x{piece.h}, {name}", apply.text(), f"undo {undo.text()}"))
    return rows
