"""A prompt's rows are encoded once each: the same conditioning as encoding every row, fewer rows run."""

from __future__ import annotations

import pytest
import torch

from glide_desktop.engine.models import ModelStore
from glide_desktop.engine.pipelines import generate
from glide_desktop.engine.pipelines.conditioning import encode_prompt, prompt_rows
from glide_desktop.engine.tiny_models import write_tiny_models
from glide_desktop.engine.types import GenerationRequest, Mode


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    torch.set_num_threads(1)
    return ModelStore(write_tiny_models(tmp_path_factory.mktemp("models"), ("base.pt",)))


def transformer_rows(model: torch.nn.Module) -> list[int]:
    """The row count of every text transformer call from now on."""
    seen: list[int] = []
    model.transformer.register_forward_hook(lambda module, args, output: seen.append(args[0].shape[0]))
    return seen


def test_encoding_once_per_distinct_row_matches_encoding_every_row(store: ModelStore) -> None:
    model = store.load_unet("base.pt", "cpu", torch.float32)
    cpu = torch.device("cpu")
    tokens, mask = prompt_rows("a red fox", 4, model.config.text_ctx, cpu, negative_prompt="blur")
    with torch.no_grad():
        every = model.encode_text(tokens, mask)  # 8 rows
    seen = transformer_rows(model)
    once = encode_prompt(model, "a red fox", 4, cpu, negative_prompt="blur")
    assert seen == [2] and once.batch_size == 8
    torch.testing.assert_close(once.xf_proj, every.xf_proj, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(once.xf_out, every.xf_out, rtol=1e-5, atol=1e-6)
    assert not torch.equal(once.xf_proj[0], once.xf_proj[4])  # the prompt's rows, then the negative's


def test_a_generate_runs_the_text_transformer_on_two_rows(store: ModelStore) -> None:
    model = store.load_unet("base.pt", "cpu", torch.float32)
    seen = transformer_rows(model)

    class Loader:  # the store, handing out the model watched above
        def load_unet(self, name, device, dtype):
            return model

    request = GenerationRequest(mode=Mode.TEXT2IM, prompt="a red fox", steps=2, candidates=4, upsample=False)
    events = list(generate(request, Loader()))
    assert seen == [2] and events[-1].images64.shape == (4, 64, 64, 3)
