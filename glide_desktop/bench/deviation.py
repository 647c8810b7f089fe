"""`python -m glide_desktop.bench.deviation`: how far bf16 sampling lands from fp32, per preset.

Whole sampling runs (both stages, same weights, same seed) in fp32 and in bf16 on the golden tiny
models and, with --full-size, on the full-size random-weight networks; the table gives the max and
mean pixel difference and the PSNR of the final 64 px candidate and 256 px result. Notebook itself
always runs in fp32: its row shows what its recipe would give if forced to bf16.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from glide_desktop.bench.presets import bench_inpaint_request
from glide_desktop.bench.quality import image_deviation
from glide_desktop.engine.presets import Preset, apply_preset
from glide_desktop.engine.types import Candidates, Precision, Result

DEFAULT_GOLDEN = Path("../shared/glide-golden")


class GoldenStore:
    """The golden set's tiny inpaint networks (models.pt + options.json), in the requested dtype."""

    def __init__(self, golden: Path) -> None:
        import json

        self.weights = torch.load(golden / "models.pt", weights_only=True)
        self.options = json.loads((golden / "options.json").read_text(encoding="utf-8"))["diffusion_models"]

    def load_unet(self, name: str, device: torch.device | str, dtype: torch.dtype) -> torch.nn.Module:
        """The golden network for a file name, fp32 weights cast to dtype's layout."""
        from glide_desktop.engine.config import UNetConfig
        from glide_desktop.engine.device import prepare_for_speed
        from glide_desktop.engine.nn import build_unet

        stem = Path(name).stem
        model = build_unet(UNetConfig.from_options(self.options[stem]), dtype=dtype)
        model.load_state_dict(self.weights[stem])
        return prepare_for_speed(model, device)


def final_images(store: Any, preset: Preset, precision: Precision) -> tuple[np.ndarray, np.ndarray]:
    """The preset's 64 px candidate and 256 px result, computed at `precision` (even for Notebook)."""
    from glide_desktop.engine.pipelines import generate

    request = replace(apply_preset(bench_inpaint_request(Precision.FP32), preset), precision=precision)
    image64 = image256 = None
    for event in generate(request, store):
        if isinstance(event, Candidates):
            image64 = event.images64[0]
        elif isinstance(event, Result):
            image256 = event.image256
    return image64, image256


def deviation_rows(store: Any, label: str, presets: list[Preset]) -> list[dict[str, Any]]:
    """One row per preset: bf16 against fp32 at 64 and 256 px."""
    rows = []
    for preset in presets:
        reference = final_images(store, preset, Precision.FP32)
        low = final_images(store, preset, Precision.BF16)
        rows.append({"models": label, "preset": preset.value, "64px": image_deviation(reference[0], low[0]),
                     "256px": image_deviation(reference[1], low[1])})
    return rows


def format_rows(rows: list[dict[str, Any]]) -> str:
    """The deviation table as Markdown."""
    lines = ["| models | preset | 64 px max | 64 px mean | 64 px PSNR | 256 px max | 256 px mean "
             "| 256 px PSNR |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        a, b = row["64px"], row["256px"]
        name = row["preset"] + (" (forced to bf16)" if row["preset"] == Preset.NOTEBOOK.value else "")
        lines.append(f"| {row['models']} | {name} | {a['max']:.0f} | {a['mean']:.2f} | {a['psnr_db']:.1f} dB "
                     f"| {b['max']:.0f} | {b['mean']:.2f} | {b['psnr_db']:.1f} dB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Print the deviation table."""
    parser = argparse.ArgumentParser(prog="python -m glide_desktop.bench.deviation", description=__doc__)
    parser.add_argument("--golden", type=Path, default=DEFAULT_GOLDEN, help="the golden set's folder")
    parser.add_argument("--full-size", action="store_true", help="also the full-size random-weight networks")
    parser.add_argument("--presets", default="draft,balanced,notebook", help="comma-separated presets")
    parser.add_argument("--full-size-presets", default="draft", help="presets for --full-size (slow)")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    presets = [Preset(p) for p in args.presets.split(",") if p]
    rows = deviation_rows(GoldenStore(args.golden), "golden tiny", presets)
    print(format_rows(rows), flush=True)
    if args.full_size:
        from glide_desktop.bench.stores import RandomWeightsStore

        presets = [Preset(p) for p in args.full_size_presets.split(",")]
        rows += deviation_rows(RandomWeightsStore(), "full-size random", presets)
        print(format_rows(rows))


if __name__ == "__main__":
    main()
