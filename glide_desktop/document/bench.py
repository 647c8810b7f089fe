"""Benchmark of the document model: open time, brush-dab-to-composite latency, undo memory.

Run: python -m glide_desktop.document.bench [--width 6000 --height 4000 --layers 8 --strokes 100]
Targets: open under 2 s, full composite under 2 s (aim: 1 s), dab p95 under 16 ms,
100 strokes of history under 300 MB; then adjustment preview (first band under 100 ms, then the whole
layer band by band), image transform apply/undo times, and Free Transform start and apply/undo times.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from glide_desktop.document.bench_edits import adjustment_rows, free_transform_rows, transform_rows
from glide_desktop.document.brush import BrushSettings, Stroke
from glide_desktop.document.commands import AddLayer
from glide_desktop.document.compositing import composite
from glide_desktop.document.files import open_image
from glide_desktop.document.geometry import Rect
from glide_desktop.document.group import LayerGroup
from glide_desktop.document.history import History
from glide_desktop.document.layer import BlendMode, Layer


def _photo(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A photo-like RGB image: smooth gradients plus grain, so JPEG decoding does real work."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([xs / width, ys / height, (xs + ys) / (width + height)], axis=-1) * 200  # H, W, 3
    grain = rng.integers(0, 40, (height, width, 3), dtype=np.uint8)
    return (base.astype(np.uint8) + grain).astype(np.uint8)

# The six modes with hand-tuned planar kernels, as before the other W3C modes arrived, so the table
# stays comparable; those run the general formulas (blend_modes.py) and are rarer in real files.
BENCH_MODES = [BlendMode.NORMAL, BlendMode.MULTIPLY, BlendMode.SCREEN, BlendMode.OVERLAY, BlendMode.DARKEN,
               BlendMode.LIGHTEN]


def _noisy_composite_seconds(width: int, height: int, count: int, rng: np.random.Generator) -> float:
    """Worst case: every layer covers everything with random colour and alpha, blend modes mixed."""
    modes = BENCH_MODES
    layers = [Layer(rng.integers(0, 256, (height, width, 4), dtype=np.uint8), blend=modes[i % len(modes)],
                    opacity=1.0 if i % 3 == 0 else 0.7) for i in range(count)]
    start = time.perf_counter()
    composite(layers, width, height)
    return time.perf_counter() - start


def _grouped_composite_seconds(layers: list[Layer], width: int, height: int) -> float:
    """The same layers in nested groups that need their own passes: an isolated Screen group holding a
    pass-through group at 70 % (full-opacity pass-through groups cost nothing: they dissolve)."""
    outer = LayerGroup("outer", blend=BlendMode.SCREEN, pass_through=False)
    inner = LayerGroup("inner", opacity=0.7, parent=outer.uid)
    half = max(2, len(layers) // 2)
    nodes = ([layers[0]] + [dataclasses.replace(layer, parent=inner.uid) for layer in layers[1:half]]
             + [inner] + [dataclasses.replace(layer, parent=outer.uid) for layer in layers[half:]] + [outer])
    start = time.perf_counter()
    composite(nodes, width, height)
    return time.perf_counter() - start


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) * 1000.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=6000)
    parser.add_argument("--height", type=int, default=4000)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--strokes", type=int, default=100)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    w, h = args.width, args.height

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.jpg"
        Image.fromarray(_photo(w, h, rng), "RGB").save(path, quality=90)
        start = time.perf_counter()
        doc = open_image(path)
        open_s = time.perf_counter() - start

    history = History()
    modes = BENCH_MODES
    for index in range(args.layers - 1):
        layer = Layer.blank(w, h, f"layer {index}", blend=modes[index % len(modes)], opacity=0.8)
        layer.pixels[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = (40 * index, 90, 200 - 20 * index, 160)
        history.push(doc, AddLayer(layer))
    history.clear()  # the benchmark measures strokes, not the set-up
    start = time.perf_counter()
    doc.composite()  # cold tile cache: what opening a layered file costs
    composite_s = time.perf_counter() - start
    noisy_s = _noisy_composite_seconds(w, h, args.layers, rng)
    grouped_s = _grouped_composite_seconds(doc.raster_layers(), w, h)

    settings = BrushSettings(size=40, hardness=0.7, opacity=0.9, color=(220, 30, 30))
    latencies: list[float] = []
    for _ in range(args.strokes):
        x, y = rng.uniform(200, w - 200), rng.uniform(200, h - 200)
        doc.composite(Rect(int(x) - 200, int(y) - 200, 400, 400))  # the view already shows this area
        stroke = Stroke(doc, doc.active_uid, settings)
        for _ in range(12):
            x += rng.uniform(-25, 25)
            y += rng.uniform(-25, 25)
            t0 = time.perf_counter()
            dirty = stroke.dab(x, y, pressure=rng.uniform(0.5, 1.0))
            if not dirty.is_empty():
                doc.composite(dirty)
            latencies.append(time.perf_counter() - t0)
        history.push(doc, stroke.finish())

    total_mb = history.total_bytes / 2**20
    rows = [
        ("document", f"{w}x{h}, {len(doc.layers)} layers", ""),
        ("open JPEG", f"{open_s:.2f} s", "< 2 s"),
        (f"full composite, {len(doc.layers)} layers", f"{composite_s:.2f} s", "< 2 s"),
        (f"full composite, {args.layers} noisy layers", f"{noisy_s:.2f} s", "< 2 s"),
        ("full composite, the layers in 2 nested groups", f"{grouped_s:.2f} s", ""),
        ("dab + composite p50", f"{_percentile(latencies, 50):.2f} ms", ""),
        ("dab + composite p95", f"{_percentile(latencies, 95):.2f} ms", "< 16 ms"),
        ("undo memory per stroke", f"{total_mb / max(1, history.undo_count) * 1024:.0f} KiB", ""),
        (f"undo memory, {history.undo_count} strokes", f"{total_mb:.1f} MiB", "< 300 MiB"),
    ]
    rows += adjustment_rows(doc) + transform_rows(doc) + free_transform_rows(doc)
    width = max(len(name) for name, _, _ in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>22}  {target}")


if __name__ == "__main__":
    main()
