"""Live previews on tiny models: off, no preview image is made, and the sampled pictures are the same."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from glide_desktop.engine.models import ModelStore
from glide_desktop.engine.pipelines import generate, upsample
from glide_desktop.engine.pipelines import stages as stages_module
from glide_desktop.engine.pipelines.model_cache import ModelCache
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.engine.types import Candidates, GenerationRequest, Mode, Progress, Result
from tests.engine.sources import gradient_source

BASE_STEPS, UPSAMPLE_STEPS = 3, 2


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelCache:
    torch.set_num_threads(1)
    folder = write_tiny_models(tmp_path_factory.mktemp("models"), ("base_inpaint.pt", "upsample_inpaint.pt"))
    return ModelCache(ModelStore(folder), capacity=2)


def inpaint_request(**changes: object) -> GenerationRequest:
    selection = np.zeros((64, 64), np.float32)
    selection[16:48, 24:56] = 1.0
    values: dict[str, object] = dict(mode=Mode.INPAINT, prompt="a red fox", seed=11, steps=BASE_STEPS,
                                     upsample_steps=UPSAMPLE_STEPS, candidates=2, upsample=True,
                                     source256=gradient_source(), selection64=selection)
    values.update(changes)
    return GenerationRequest(**values)


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The shapes of every prediction a stage turns into a preview image."""
    made: list[tuple[int, ...]] = []
    real = stages_module.to_uint8

    def counting(images: torch.Tensor) -> np.ndarray:
        made.append(tuple(images.shape))
        return real(images)

    monkeypatch.setattr(stages_module, "to_uint8", counting)
    return made


def outputs(events: list) -> tuple[np.ndarray, list[np.ndarray]]:
    candidates = [e.images64 for e in events if isinstance(e, Candidates)]
    assert len(candidates) == 1
    return candidates[0], [e.image256 for e in events if isinstance(e, Result)]


def test_previews_off_makes_no_preview_and_the_same_pictures(store: ModelCache, conversions: list) -> None:
    with_previews = list(generate(inpaint_request(), store))
    assert len(conversions) == BASE_STEPS + 2 * UPSAMPLE_STEPS  # one per step, base and both upsamplings
    conversions.clear()
    without = list(generate(inpaint_request(previews=False), store))
    assert conversions == []  # no prediction became an image
    progress = [e for e in without if isinstance(e, Progress)]
    assert [(e.stage, e.step, e.total) for e in progress] == [
        (e.stage, e.step, e.total) for e in with_previews if isinstance(e, Progress)]
    assert all(e.preview is None for e in progress) and len(progress) == BASE_STEPS + 2 * UPSAMPLE_STEPS
    candidates_on, results_on = outputs(with_previews)
    candidates_off, results_off = outputs(without)
    assert np.array_equal(candidates_on, candidates_off)
    assert len(results_off) == 2 and all(np.array_equal(a, b) for a, b in zip(results_on, results_off))


def test_the_flag_switches_previews_while_the_request_runs(store: ModelCache, conversions: list) -> None:
    wanted = threading.Event()
    wanted.set()
    events = []
    for event in generate(inpaint_request(upsample=False), store, previews=wanted):
        events.append(event)
        if isinstance(event, Progress) and event.step == 1:
            wanted.clear()  # the artist switches Live preview off after the first step
    previews = [e.preview for e in events if isinstance(e, Progress)]
    assert previews[0] is not None and previews[0].shape == (2, 64, 64, 3)
    assert previews[1:] == [None] * (BASE_STEPS - 1) and len(conversions) == 1
    reference = list(generate(inpaint_request(upsample=False), store))
    assert np.array_equal(outputs(events)[0], outputs(reference)[0])


def test_the_flag_wins_over_the_request_when_upsampling_later(store: ModelCache) -> None:
    base = list(generate(inpaint_request(upsample=False, previews=False), store))
    candidates = outputs(base)[0]
    wanted = threading.Event()
    wanted.set()  # switched back on after the request was made
    events = list(upsample(inpaint_request(previews=False), store, candidates, [1], previews=wanted))
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) == UPSAMPLE_STEPS and all(e.preview.shape == (1, 256, 256, 3) for e in progress)
    quiet = list(upsample(inpaint_request(previews=False), store, candidates, [1]))
    assert all(e.preview is None for e in quiet if isinstance(e, Progress))
    assert np.array_equal(outputs(base + events)[1][0], outputs(base + quiet)[1][0])
