"""`inpaint --detail`: the detail pass after inpainting, on the whole image at its own resolution.

Plain inpainting answers with GLIDE's 256 px square; with --detail the square is put back into the
whole source image (where the mask is white) and the upsample-inpaint model repaints it tile by tile
at the image's own resolution, so a large photo gets native detail instead of a stretched square.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from glide_desktop import cli_io
from glide_desktop.document.detail_plan import DetailOutput, DetailPlan, apply_detail
from glide_desktop.document.detail_tiles import effective_upscale
from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_crop import Placement, place_result
from glide_desktop.engine.detail_types import DetailProgress, DetailRequest, DetailResult
from glide_desktop.engine.types import GenerationRequest, InvalidRequest

Finish = Callable[[np.ndarray, int], np.ndarray]  # (result256, candidate) -> the image to write


def add_detail_option(parser: argparse.ArgumentParser) -> None:
    """Register --detail on the inpaint subcommand."""
    parser.add_argument("--detail", action="store_true",
                        help="after inpainting, repaint the result tile by tile with the upsample-inpaint "
                        "model at the image's own resolution, and write the whole image (not the 256 px "
                        "square)")


class WholeImage:
    """The source image at full size with its mask, and where GLIDE's square came from."""

    def __init__(self, image_path: Path, mask_path: Path) -> None:
        self.rgb = np.array(cli_io.read_rgb(image_path), np.uint8)  # H, W, 3
        height, width = self.rgb.shape[:2]
        mask = cli_io.read_mask(mask_path, (width, height))
        left, top, right, bottom = cli_io.center_square((width, height))
        self.square = Rect.from_edges(left, top, right, bottom)
        coverage = np.zeros((height, width), np.float32)
        # GLIDE only saw the square: the mask outside it is not regenerated.
        coverage[self.square.slices()] = np.asarray(mask, np.float32)[self.square.slices()] / 255.0
        self.coverage = coverage

    @property
    def upscale(self) -> float:
        """Image pixels per generated pixel."""
        return effective_upscale(self.square.w)

    def layer(self, result256: np.ndarray) -> np.ndarray:
        """The result as an image-sized RGBA layer, opaque where the mask is white."""
        height, width = self.coverage.shape
        alpha = self.coverage[self.square.slices()]
        return place_result(result256, Placement(self.square, alpha), width, height)

    def composite(self, layer: np.ndarray) -> np.ndarray:
        """The layer over the source image: H, W, 3 uint8."""
        alpha = layer[..., 3:].astype(np.float32) / 255.0
        mixed = layer[..., :3].astype(np.float32) * alpha + self.rgb.astype(np.float32) * (1.0 - alpha)
        return np.rint(mixed).astype(np.uint8)


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


def whole_image_detail(args: argparse.Namespace, request: GenerationRequest, store: Any) -> Finish:
    """The step that turns each 256 px result into the detailed whole image."""
    whole = WholeImage(args.image, args.mask)

    def finish(result256: np.ndarray, candidate: int) -> np.ndarray:
        layer = whole.layer(result256)
        if whole.upscale <= 1.0:
            print("note: the image is no larger than GLIDE's 256 px: no detail pass needed", file=sys.stderr)
            return whole.composite(layer)
        plan = DetailPlan.from_document(whole.rgb, whole.composite(layer), layer[..., 3] / np.float32(255),
                                        whole.upscale)
        output = detail_pass(store, DetailRequest.following(request, plan), args.quiet)
        rect, pixels = apply_detail(layer, (0, 0), output)
        layer[rect.slices()] = pixels
        return whole.composite(layer)

    return finish

