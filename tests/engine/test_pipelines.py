"""The generation pipelines on tiny random-weight models: events, shapes, seeds, masks and cancelling."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from glide_desktop.engine.models import ModelStore
from glide_desktop.engine.pipelines import (
    generate,
    selection_to_keep_mask,
    to_model_image,
    to_uint8,
    upsample,
)
from glide_desktop.engine.pipelines.base import sdedit_start
from glide_desktop.engine.pipelines.conditioning import prompt_rows
from glide_desktop.engine.pipelines.model_cache import ModelCache
from glide_desktop.engine.pipelines.stages import base_respacing, upsample_respacing
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.engine.tokenizers import gpt2_tokenizer
from glide_desktop.engine.types import (
    Candidates,
    GenerationRequest,
    InvalidRequest,
    Mode,
    Progress,
    Result,
    SamplerName,
)
from tests.engine.sources import gradient_source

BASE_STEPS = 3
UPSAMPLE_STEPS = 2


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelCache:
    torch.set_num_threads(1)
    folder = write_tiny_models(tmp_path_factory.mktemp("models"))
    return ModelCache(ModelStore(folder), capacity=4)


def centre_selection() -> np.ndarray:
    selection = np.zeros((64, 64), np.float32)
    selection[16:48, 24:56] = 1.0
    return selection


def request(mode: Mode = Mode.TEXT2IM, **changes: object) -> GenerationRequest:
    values: dict[str, object] = dict(mode=mode, prompt="a red fox", seed=3, steps=BASE_STEPS,
                                     upsample_steps=UPSAMPLE_STEPS, candidates=2, upsample=False)
    if mode is not Mode.TEXT2IM:
        values["source256"] = gradient_source()
    if mode is Mode.INPAINT:
        values["selection64"] = centre_selection()
    values.update(changes)
    return GenerationRequest(**values)


def candidates_of(events: list) -> np.ndarray:
    found = [e for e in events if isinstance(e, Candidates)]
    assert len(found) == 1
    return found[0].images64


# ---------------------------------------------------------------- plain conversions


def test_selection_to_keep_mask_regenerates_every_visibly_covered_pixel() -> None:
    selection = np.zeros((64, 64), np.float32)
    selection[0, 0], selection[0, 1], selection[0, 2], selection[0, 3] = 1.0, 0.5, 0.1, 1e-4
    keep = selection_to_keep_mask(selection)
    assert keep.shape == (64, 64) and keep.dtype == np.float32
    assert keep[0, :4].tolist() == [0.0, 0.0, 0.0, 1.0]  # partly covered edges are regenerated too
    assert keep[1:].min() == 1.0
    with pytest.raises(ValueError, match="64x64"):
        selection_to_keep_mask(np.zeros((32, 32), np.float32))


def test_uint8_and_model_images_round_trip_every_level() -> None:
    levels = np.arange(256, dtype=np.uint8)
    image = np.stack([np.tile(levels, (4, 1))] * 3, axis=-1)  # 4, 256, 3
    tensor = to_model_image(image)
    assert tensor.shape == (1, 3, 4, 256) and tensor.dtype == torch.float32
    assert tensor.min().item() == -1.0 and tensor.max().item() == 1.0
    assert np.array_equal(to_uint8(tensor)[0], image)
    assert to_uint8(torch.full((1, 3, 2, 2), 3.0)).max() == 255  # out of range values are clipped


def test_respacing_follows_the_sampler() -> None:
    assert base_respacing(SamplerName.ANCESTRAL, 100) == "100"
    assert base_respacing(SamplerName.DDIM, 50) == "ddim50"
    assert base_respacing(SamplerName.DDIM, 300) == "300"  # no integer stride gives 300 of 1000
    assert upsample_respacing(27) == "fast27" and upsample_respacing(10) == "10"


def test_sdedit_start_index() -> None:
    assert sdedit_start(1.0, 10) == 9
    assert sdedit_start(0.5, 10) == 4
    assert sdedit_start(0.01, 10) == 0


def test_negative_prompt_fills_the_unconditional_rows() -> None:
    tokenizer = gpt2_tokenizer()
    tokens, mask = prompt_rows("a cat", 2, 128, torch.device("cpu"), negative_prompt="")
    assert tokens.shape == (4, 128) and mask.dtype == torch.bool
    assert tokens[0].tolist() == tokenizer.padded(tokenizer.encode("a cat"))[0]
    assert tokens[2].tolist() == [50256] * 128 and not mask[2:].any()
    tokens, mask = prompt_rows("a cat", 2, 128, torch.device("cpu"), negative_prompt="blurry")
    assert tokens[3].tolist() == tokenizer.padded(tokenizer.encode("blurry"))[0]
    assert mask[3].sum().item() == len(tokenizer.encode("blurry"))


# ---------------------------------------------------------------- whole runs


def test_text2im_events_in_order_with_shapes(store: ModelCache) -> None:
    events = list(generate(request(upsample=True), store))
    base = [e for e in events[:BASE_STEPS]]
    assert [(e.stage, e.step, e.total) for e in base] == [("base", k, BASE_STEPS) for k in (1, 2, 3)]
    assert all(e.preview.shape == (2, 64, 64, 3) and e.preview.dtype == np.uint8 for e in base)
    assert isinstance(events[BASE_STEPS], Candidates)
    images64 = events[BASE_STEPS].images64
    assert images64.shape == (2, 64, 64, 3) and images64.dtype == np.uint8
    rest = events[BASE_STEPS + 1 :]
    assert [type(e) for e in rest] == [Progress, Progress, Result, Progress, Progress, Result]
    assert [e.step for e in rest if isinstance(e, Progress)] == [1, 2, 3, 4]
    upsampling = [e for e in rest if isinstance(e, Progress)]
    assert all(e.stage == "upsample" and e.preview.shape == (1, 256, 256, 3) for e in upsampling)
    results = [e for e in rest if isinstance(e, Result)]
    assert [r.candidate for r in results] == [0, 1]
    assert all(r.image256.shape == (256, 256, 3) and r.image256.dtype == np.uint8 for r in results)


def test_same_seed_same_images_other_seed_other_images(store: ModelCache) -> None:
    first = candidates_of(list(generate(request(), store)))
    again = candidates_of(list(generate(request(), store)))
    other = candidates_of(list(generate(request(seed=4), store)))
    assert np.array_equal(first, again)
    assert np.abs(first.astype(int) - other.astype(int)).mean() > 5
    assert not np.array_equal(first[0], first[1])  # the candidates differ from each other


def test_negative_prompt_changes_the_images(store: ModelCache) -> None:
    plain = candidates_of(list(generate(request(), store)))
    steered = candidates_of(list(generate(request(negative_prompt="blurry, dark"), store)))
    assert not np.array_equal(plain, steered)


@pytest.mark.parametrize("sampler", [SamplerName.DDIM, SamplerName.DPMPP_2M])
def test_other_samplers_run(store: ModelCache, sampler: SamplerName) -> None:
    events = list(generate(request(sampler=sampler, steps=4), store))
    assert [e.step for e in events if isinstance(e, Progress)] == [1, 2, 3, 4]
    assert candidates_of(events).shape == (2, 64, 64, 3)


def test_inpaint_keeps_the_known_region(store: ModelCache) -> None:
    events = list(generate(request(Mode.INPAINT, upsample=True, candidates=1), store))
    source = gradient_source()
    keep = selection_to_keep_mask(centre_selection()).astype(bool)
    # An independent resize (PIL's bicubic) of the smooth source: the model's 64 px view of it.
    expected64 = np.asarray(Image.fromarray(source).resize((64, 64), Image.Resampling.BICUBIC)).astype(int)
    candidate = candidates_of(events)[0].astype(int)
    assert np.abs(candidate[keep] - expected64[keep]).max() <= 2
    assert np.abs(candidate[~keep] - expected64[~keep]).mean() > 10  # the hole was really regenerated
    result = [e for e in events if isinstance(e, Result)][0].image256.astype(int)
    keep256 = np.kron(keep, np.ones((4, 4), bool))
    assert np.abs(result[keep256] - source.astype(int)[keep256]).max() <= 1
    assert np.abs(result[~keep256] - source.astype(int)[~keep256]).mean() > 10


def test_variation_with_a_selection_keeps_the_rest(store: ModelCache) -> None:
    events = list(generate(request(Mode.VARIATION, selection64=centre_selection(), strength=0.9), store))
    keep = selection_to_keep_mask(centre_selection()).astype(bool)
    expected64 = np.asarray(Image.fromarray(gradient_source()).resize((64, 64), Image.Resampling.BICUBIC))
    candidates = candidates_of(events).astype(int)
    assert np.abs(candidates[:, keep] - expected64.astype(int)[keep]).max() <= 2


def test_variation_strength_sets_how_far_from_the_source(store: ModelCache) -> None:
    expected64 = np.asarray(Image.fromarray(gradient_source()).resize((64, 64), Image.Resampling.BICUBIC))
    gentle = list(generate(request(Mode.VARIATION, steps=5, strength=0.05, candidates=1), store))
    assert [e.total for e in gentle if isinstance(e, Progress)] == [1]  # starts at the least noisy step
    strong = list(generate(request(Mode.VARIATION, steps=5, strength=1.0, candidates=1), store))
    assert [e.total for e in strong if isinstance(e, Progress)] == [5] * 5
    near = np.abs(candidates_of(gentle).astype(int) - expected64.astype(int)).mean()
    far = np.abs(candidates_of(strong).astype(int) - expected64.astype(int)).mean()
    assert near < 3 < far


def test_upsample_later_matches_upsample_during_generate(store: ModelCache) -> None:
    inpaint = request(Mode.INPAINT, upsample=True)
    events = list(generate(inpaint, store))
    results = {e.candidate: e.image256 for e in events if isinstance(e, Result)}
    later = list(upsample(inpaint, store, candidates_of(events), [1]))
    assert [type(e) for e in later] == [Progress, Progress, Result]
    assert later[-1].candidate == 1 and np.array_equal(later[-1].image256, results[1])


@pytest.mark.parametrize("after", [1, BASE_STEPS])
def test_cancel_stops_with_no_more_events(store: ModelCache, after: int) -> None:
    cancel = threading.Event()
    seen = []
    for event in generate(request(upsample=True), store, cancel=cancel):
        seen.append(event)
        if len(seen) == after:
            cancel.set()
    assert len(seen) == after


def test_cancel_after_candidates_skips_the_upsampler(store: ModelCache) -> None:
    cancel = threading.Event()
    seen = []
    for event in generate(request(upsample=True), store, cancel=cancel):
        seen.append(event)
        if isinstance(event, Candidates):
            cancel.set()
    assert isinstance(seen[-1], Candidates)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(selection64=None), "needs a selection"),
        (dict(selection64=np.zeros((64, 64), np.float32)), "selection is empty"),
        (dict(source256=np.zeros((128, 128, 3), np.uint8)), "256x256x3 uint8"),
        (dict(candidates=0), "candidates must be between"),
        (dict(steps=0), "steps must be between"),
        (dict(device="tpu"), "device must be auto, cpu or cuda"),
    ],
)
def test_bad_requests_are_refused_before_any_work(store: ModelCache, changes: dict, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        next(generate(replace(request(Mode.INPAINT), **changes), store))


def test_missing_models_are_reported_by_the_store(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="GLIDE needs base.pt"):
        next(generate(request(), ModelStore(tmp_path)))


def test_model_cache_reuses_and_evicts_the_least_recent() -> None:
    loads: list[str] = []

    class CountingStore:
        folder = Path("models")

        def load_unet(self, name: str, device: object, dtype: torch.dtype) -> torch.nn.Module:
            loads.append(name)
            return torch.nn.Identity()

    cache = ModelCache(CountingStore(), capacity=2)
    first = cache.load_unet("base.pt", "cpu", torch.float32)
    assert cache.load_unet("base.pt", "cpu", torch.float32) is first
    cache.load_unet("upsample.pt", "cpu", torch.float32)
    cache.load_unet("base_inpaint.pt", "cpu", torch.float32)  # evicts base.pt
    cache.load_unet("base.pt", "cpu", torch.float32)
    assert loads == ["base.pt", "upsample.pt", "base_inpaint.pt", "base.pt"]
    assert cache.folder == Path("models")  # everything else is the wrapped store's


def test_read_only_source_arrays_are_accepted_without_warnings():
    import warnings

    from glide_desktop.engine.pipelines import to_model_image

    source = np.full((8, 8, 3), 255, np.uint8)
    source.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = to_model_image(source)
    assert image.shape == (1, 3, 8, 8) and float(image.min()) == 1.0
