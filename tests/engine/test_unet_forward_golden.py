"""Replay every single-forward case in the golden forward.pt against our GlideUNet.

The cases, their models and every input come from forward.pt, options.json and manifest.json,
so any vector set in the same layout runs through these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from glide_desktop.engine.config import UNetConfig
from glide_desktop.engine.nn import GlideUNet, build_unet, timestep_embedding
from tests.engine.golden_set import CLIP_MODELS, load_golden, manifest_files, options

pytestmark = pytest.mark.golden

ATOL = 1e-4  # the reference itself moves by ~4e-6 between thread counts
RTOL = 1e-6  # with atol: another CPU kind rounds vectorised maths one ulp differently
IMAGE_INPUTS = ("x_t", "timesteps")


@pytest.fixture(scope="module")
def golden(golden_dir: Path) -> dict:
    """models.pt, the model options and the manifest's entries."""
    return {
        "models": load_golden(golden_dir, "models.pt"),
        "options": options(golden_dir)["diffusion_models"],
        "manifest": manifest_files(golden_dir),
    }


@pytest.fixture(scope="module")
def forward(golden_dir: Path) -> dict:
    """forward.pt: model name -> {inputs, outputs, prompts}."""
    cases = load_golden(golden_dir, "forward.pt")
    assert cases, "forward.pt holds no cases"
    return cases


def _load_model(golden: dict, name: str) -> GlideUNet:
    model = build_unet(UNetConfig.from_options(golden["options"][name]))
    model.load_state_dict(golden["models"][name], strict=True)
    return model


def _recorder(seen: dict[str, torch.Tensor], key: str):
    """A forward hook that stores the module's output under key."""

    def hook(module: torch.nn.Module, args: tuple, output: torch.Tensor) -> None:
        seen[key] = output

    return hook


@pytest.fixture(scope="module")
def replayed(golden: dict, forward: dict) -> dict[str, dict[str, torch.Tensor]]:
    """Run every case once, recording our output and intermediates under the golden names."""
    results = {}
    for name, case in forward.items():
        model = _load_model(golden, name)
        inputs = case["inputs"]
        extras = {k: v for k, v in inputs.items() if k not in IMAGE_INPUTS}
        seen: dict[str, torch.Tensor] = {}
        hooks = [
            model.time_embed.register_forward_hook(_recorder(seen, "time_embed")),
            model.middle_block.register_forward_hook(_recorder(seen, "middle_block_out")),
        ]
        with torch.no_grad():
            seen["output"] = model(inputs["x_t"], inputs["timesteps"], **extras)
            text = model.encode_text(_text_input(inputs), inputs.get("mask"))
        for hook in hooks:
            hook.remove()
        if model.config.has_text:  # a model without text has no text intermediates to compare
            seen["xf_proj"], seen["xf_out"] = text.xf_proj, text.xf_out
        seen["timestep_embedding"] = timestep_embedding(inputs["timesteps"], model.config.num_channels)
        results[name] = seen
    return results


def _text_input(inputs: dict) -> torch.Tensor | int:
    """The tokens, or for a case without any just the row count (a model without text ignores them)."""
    return inputs["tokens"] if "tokens" in inputs else inputs["x_t"].shape[0]


def test_forward_cases_match_the_manifest(golden: dict, forward: dict) -> None:
    listed = {key.split("/")[0] for key in golden["manifest"]["forward.pt"].get("tensors", {})}
    assert listed, "manifest lists no forward.pt tensors"
    assert set(forward) == listed, "every case the manifest lists is replayed, and no other"


def test_every_case_has_options_and_weights(golden: dict, forward: dict) -> None:
    for name in forward:
        assert name in golden["options"], f"no options for {name}"
        assert name in golden["models"], f"no weights for {name}"


def test_every_model_builds_and_loads_strictly(golden: dict) -> None:
    """Every diffusion model of options.json, forward case or not, has our layout exactly."""
    listed = golden["manifest"]["models.pt"].get("tensors", {})
    for name in golden["options"]:
        assert name in golden["models"], f"options.json names {name} but models.pt lacks it"
        model = _load_model(golden, name)
        state, counts = model.state_dict(), listed.get(name, {})
        if "num_keys" in counts:
            assert len(state) == counts["num_keys"], name
        if "num_params" in counts:
            assert sum(t.numel() for t in state.values()) == counts["num_params"], name
    unused = set(golden["models"]) - set(golden["options"]) - set(CLIP_MODELS)
    assert not unused, f"models.pt holds networks no test builds: {sorted(unused)}"


def test_outputs_match_reference(forward: dict, replayed: dict) -> None:
    for name, case in forward.items():
        expected = case["outputs"]["output"]
        ours = replayed[name]["output"]
        assert ours.shape == expected.shape, name
        torch.testing.assert_close(ours, expected, atol=ATOL, rtol=RTOL, msg=lambda m, n=name: f"{n}: {m}")


def test_intermediates_match_reference(forward: dict, replayed: dict) -> None:
    compared = 0
    for name, case in forward.items():
        for key, expected in case["outputs"].items():
            if key == "output" or key not in replayed[name]:
                continue
            ours = replayed[name][key]
            assert ours.shape == expected.shape, f"{name}/{key}"
            torch.testing.assert_close(ours, expected, atol=ATOL, rtol=RTOL,
                                       msg=lambda m, n=f"{name}/{key}": f"{n}: {m}")
            compared += 1
    assert compared > 0, "forward.pt holds no intermediates we know how to compare"


def test_precomputed_text_gives_identical_output(golden: dict, forward: dict) -> None:
    for name, case in forward.items():
        model = _load_model(golden, name)
        inputs = case["inputs"]
        extras = {k: v for k, v in inputs.items() if k not in (*IMAGE_INPUTS, "tokens", "mask")}
        with torch.no_grad():
            text = model.encode_text(_text_input(inputs), inputs.get("mask"))
            out = model(inputs["x_t"], inputs["timesteps"], text=text, **extras)
        torch.testing.assert_close(out, case["outputs"]["output"], atol=ATOL, rtol=RTOL)
