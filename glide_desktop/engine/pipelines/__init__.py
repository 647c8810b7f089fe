"""GLIDE's generation pipelines on plain arrays: requests in, events out (imports torch)."""

from glide_desktop.engine.pipelines.generate import generate, upsample
from glide_desktop.engine.pipelines.images import selection_to_keep_mask, to_model_image, to_uint8
from glide_desktop.engine.pipelines.ranking import best_first, rank_candidates
from glide_desktop.engine.pipelines.requests import validate

__all__ = ["best_first", "generate", "rank_candidates", "selection_to_keep_mask", "to_model_image",
           "to_uint8", "upsample", "validate"]
