"""Cancel inside a network pass: checked between blocks, so a cancel never waits for a whole step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glide_desktop.engine.cancel import Cancelled
from glide_desktop.engine.config import TINY_PRESETS
from glide_desktop.engine.models import ModelStore
from glide_desktop.engine.nn import build_unet
from glide_desktop.engine.pipelines import generate
from glide_desktop.engine.pipelines.model_cache import ModelCache
from glide_desktop.engine.types import Candidates, GenerationRequest, Mode, Precision, Progress, Result
from tests.engine.sources import gradient_source
from tests.tiny_models import write_tiny_models


class CountingCancel:
    """A cancel flag that turns on at its `after`-th look and counts every look."""

    def __init__(self, after: int | None) -> None:
        self.after = after
        self.looks = 0

    def __call__(self) -> bool:
        self.looks += 1
        return self.after is not None and self.looks >= self.after


def test_a_forward_pass_looks_between_blocks_and_stops_inside() -> None:
    model = build_unet(TINY_PRESETS["base"])
    x, t = torch.randn(1, 3, 32, 32), torch.tensor([500])
    counting = CountingCancel(after=None)
    with torch.no_grad():
        model(x, t, tokens=torch.zeros(1, 128, dtype=torch.int64), mask=torch.ones(1, 128, dtype=torch.bool),
              cancel=counting)
    blocks = len(model.input_blocks) + 1 + len(model.output_blocks)
    assert counting.looks > blocks  # between blocks, and inside each ResBlock
    stopping = CountingCancel(after=counting.looks // 2)
    with torch.no_grad(), pytest.raises(Cancelled):
        model(x, t, tokens=torch.zeros(1, 128, dtype=torch.int64), mask=torch.ones(1, 128, dtype=torch.bool),
              cancel=stopping)
    assert stopping.looks == counting.looks // 2  # it stopped at the first look that saw the flag


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelCache:
    torch.set_num_threads(1)
    return ModelCache(ModelStore(write_tiny_models(tmp_path_factory.mktemp("models"))), capacity=4)


def _request() -> GenerationRequest:
    selection = np.zeros((64, 64), np.float32)
    selection[16:48, 16:48] = 1.0
    return GenerationRequest(mode=Mode.INPAINT, prompt="a fox", seed=5, steps=3, upsample_steps=2,
                             candidates=1, source256=gradient_source(), selection64=selection,
                             precision=Precision.FP32)


@pytest.mark.parametrize("stage_share", [0.3, 0.8])
def test_cancel_raised_mid_forward_stops_the_run_and_leaves_nothing_half_done(
    store: ModelCache, stage_share: float
) -> None:
    counting = CountingCancel(after=None)
    full = list(generate(_request(), store, cancel=counting))
    stopping = CountingCancel(after=int(counting.looks * stage_share))  # 0.3: base stage, 0.8: upsampler
    stopped = list(generate(_request(), store, cancel=stopping))
    assert stopping.looks == stopping.after  # nothing ran after the look that saw the flag
    assert not any(isinstance(event, Result) for event in stopped)
    if stage_share < 0.5:
        assert not any(isinstance(event, Candidates) for event in stopped)
    assert all(isinstance(event, Progress | Candidates) for event in stopped)
    assert len(stopped) < len(full)
    again = list(generate(_request(), store))  # the cached networks are whole: same result as before
    (first,) = [e for e in full if isinstance(e, Result)]
    (second,) = [e for e in again if isinstance(e, Result)]
    np.testing.assert_array_equal(first.image256, second.image256)
