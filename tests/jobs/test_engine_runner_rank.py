"""The runner ranks candidates by CLIP when the CLIP files are in its folder, and says None otherwise."""

from __future__ import annotations

import numpy as np

from glide_desktop.engine.tiny_models import write_tiny_clip
from glide_desktop.jobs.engine_runner import EngineRunner


def test_candidates_get_a_clip_score_each_only_when_the_clip_files_are_there(tmp_path):
    images = np.random.default_rng(2).integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    runner = EngineRunner(tmp_path)
    assert runner.rank("a red fox", images, device="cpu") is None
    write_tiny_clip(tmp_path)
    scores = runner.rank("a red fox", images, device="cpu")
    assert scores is not None and len(scores) == 3 and all(-1.0 <= s <= 1.0 for s in scores)
    assert runner.rank("a red fox", images, device="cpu") == scores  # the encoders are cached, same answer
