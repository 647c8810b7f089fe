"""The one crop path of the editor and the command line: the document's context crop at GLIDE's sizes.

The sizes and the selection threshold are the engine's (engine/types.py); the crop and composite maths
are the document's, which does not import the engine. Both the Generate panel and `inpaint` on the
command line call glide_crop, so a selection becomes the same model input in both. No Qt, no torch.
"""

from __future__ import annotations

import numpy as np

from glide_desktop.document.inpaint_crop import (
    CONTEXT_PADDING,
    MIN_CONTEXT,
    ContextCrop,
    ModelSizes,
    inpaint_crop,
)
from glide_desktop.engine.types import IMAGE_SIZE, IMAGE_SIZE_BASE, SELECTION_THRESHOLD

GLIDE_SIZES = ModelSizes(source=IMAGE_SIZE, mask=IMAGE_SIZE_BASE, threshold=SELECTION_THRESHOLD)


def glide_crop(picture: np.ndarray, coverage: np.ndarray, padding: float = CONTEXT_PADDING,
               min_side: int = MIN_CONTEXT, feather: float | None = None) -> ContextCrop:
    """The context crop GLIDE inpaints for a picture (H, W, 4 uint8) and its selection (H, W coverage)."""
    return inpaint_crop(picture, coverage, GLIDE_SIZES, padding, min_side, feather)
