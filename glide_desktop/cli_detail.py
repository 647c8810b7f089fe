"""`inpaint --detail`: the detail pass after inpainting, on the whole image at its own resolution.

Plain inpainting answers with GLIDE's 256 px square; with --detail the square is put back into the
whole source image (where the mask is white) and the upsample-inpaint model repaints it tile by tile
at the image's own resolution, so a large photo gets native detail instead of a stretched square.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from glide_desktop import cli_io
from glide_desktop.cli_inpaint import WholePicture
from glide_desktop.document.detail_plan import DetailOutput, DetailPlan, apply_detail
from glide_desktop.document.detail_tiles import effective_upscale
from glide_desktop.engine.detail_types import DetailProgress, DetailRequest, DetailResult
from glide_desktop.engine.types import GenerationRequest, InvalidRequest

Finish = Callable[[np.ndarray, int], np.ndarray]  # (result256, candidate) -> the image to write


def add_detail_option(parser: argparse.ArgumentParser) -> None:
    """Register --detail on the inpaint subcommand."""
    parser.add_argument("--detail", action="store_true",
                        help="after inpainting, repaint the result tile by tile with the upsample-inpaint "
                        "model at the image's own resolution, and write the whole image (not the 256 px "
                        "square)")


def detail_pass(store: Any, request: DetailRequest, quiet: bool) -> DetailOutput:
    """Run a detail pass with a progress bar on stderr; returns its output."""
    from glide_desktop.engine.pipelines.detail import detail

    bar = cli_io.ProgressBar(sys.stderr, enabled=not quiet)
    output = None
    for event in detail(request, store):
        if isinstance(event, DetailProgress):
            bar.update(event.stage, event.step, event.total)
        elif isinstance(event, DetailResult):
            output = event.output
    bar.finish()
    if output is None:
        raise InvalidRequest("the detail pass stopped before it finished")
    return output


def whole_image_detail(whole: WholePicture, request: GenerationRequest, store: Any, quiet: bool) -> Finish:
    """The step that turns each 256 px result into the whole picture, detailed at its own resolution."""
    upscale = effective_upscale(whole.crop.rect.w)
    original = whole.pixels[..., :3]

    def finish(result256: np.ndarray, candidate: int) -> np.ndarray:
        filled = whole.filled(result256)  # H, W, 3 or 4: outside the mask bit-identical
        if upscale <= 1.0:
            print("note: the image is no larger than GLIDE's 256 px: no detail pass needed", file=sys.stderr)
            return filled
        plan = DetailPlan.from_document(original, filled[..., :3], whole.coverage, upscale)
        output = detail_pass(store, DetailRequest.following(request, plan), quiet)
        opaque = np.full(filled.shape[:2] + (1,), 255, np.uint8)
        rgba = filled if filled.shape[2] == 4 else np.concatenate([filled, opaque], axis=2)
        rect, pixels = apply_detail(rgba, (0, 0), output)  # only selected pixels change
        rgba[rect.slices()] = pixels
        return rgba[..., : filled.shape[2]]

    return finish
