"""`inpaint` on the whole picture: the editor's context crop in, each result blended back into the image."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glide_desktop import cli_io
from glide_desktop.crops import glide_crop
from glide_desktop.document.inpaint_composite import Blend, blend_into
from glide_desktop.document.inpaint_crop import ContextCrop


@dataclass(frozen=True)
class WholePicture:
    """The image as read, its mask as coverage, the square GLIDE sees, and how results are blended back."""

    pixels: np.ndarray  # H, W, 3 or 4 uint8, exactly as read
    coverage: np.ndarray  # H, W float32, 1 = regenerate
    crop: ContextCrop
    blend: Blend

    @classmethod
    def load(cls, image: Path, mask: Path, feather: float | None = None,
             match_colour: bool = False) -> WholePicture:
        """Read image and mask and take the editor's crop of them (bad files raise InvalidRequest)."""
        pixels = cli_io.load_picture(image)
        coverage = cli_io.load_coverage(mask, (pixels.shape[1], pixels.shape[0]))
        opaque = np.full(pixels.shape[:2], 255, np.uint8)
        rgba = pixels if pixels.shape[2] == 4 else np.dstack([pixels, opaque])
        crop = glide_crop(rgba, coverage, feather=feather)
        return cls(pixels, coverage, crop, Blend(feather=feather, match_colour=match_colour))

    def filled(self, image: np.ndarray) -> np.ndarray:
        """The whole picture with a generated image (any square size) blended in under the mask."""
        return blend_into(self.pixels, image, self.crop.rect, self.coverage, self.blend)
