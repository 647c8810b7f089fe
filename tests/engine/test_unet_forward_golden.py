"""Replay every single-forward case in the golden forward.pt against our GlideUNet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from glide_desktop.engine.config import UNetConfig
from glide_desktop.engine.nn import GlideUNet, build_unet, timestep_embedding

pytestmark = pytest.mark.golden

ATOL = 1e-4  # the reference itself moves by ~4e-6 between thread counts
IMAGE_INPUTS = ("x_t", "timesteps")


@pytest.fixture(scope="module")
def golden(golden_dir: Path) -> dict:
    """forward.pt, models.pt, the model options and the manifest's forward.pt entry."""
    manifest = json.loads((golden_dir / "manifest.json").read_text())
    return {
        "forward": torch.load(golden_dir / "forward.pt", weights_only=True),
        "models": torch.load(golden_dir / "models.pt", weights_only=True),
        "options": json.loads((golden_dir / "options.json").read_text())["diffusion_models"],
        "manifest": manifest["files"]["forward.pt"],
    }


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
def replayed(golden: dict) -> dict[str, dict[str, torch.Tensor]]:
    """Run every case once, recording our output and intermediates under the golden names."""
    results = {}
    for name, case in golden["forward"].items():
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
            text = model.encode_text(inputs["tokens"], inputs.get("mask"))
        for hook in hooks:
            hook.remove()
        seen["xf_proj"], seen["xf_out"] = text.xf_proj, text.xf_out
        seen["timestep_embedding"] = timestep_embedding(inputs["timesteps"], model.config.num_channels)
        results[name] = seen
    return results


def test_forward_cases_match_the_manifest(golden: dict) -> None:
    listed = {key.split("/")[0] for key in golden["manifest"]["tensors"]}
    assert listed, "manifest lists no forward.pt tensors"
    assert set(golden["forward"]) == listed


def test_every_case_has_options_and_weights(golden: dict) -> None:
    for name in golden["forward"]:
        assert name in golden["options"], f"no options for {name}"
        assert name in golden["models"], f"no weights for {name}"


def test_outputs_match_reference(golden: dict, replayed: dict) -> None:
    for name, case in golden["forward"].items():
        expected = case["outputs"]["output"]
        ours = replayed[name]["output"]
        assert ours.shape == expected.shape, name
        torch.testing.assert_close(ours, expected, atol=ATOL, rtol=0, msg=lambda m, n=name: f"{n}: {m}")


def test_intermediates_match_reference(golden: dict, replayed: dict) -> None:
    compared = 0
    for name, case in golden["forward"].items():
        for key, expected in case["outputs"].items():
            if key == "output" or key not in replayed[name]:
                continue
            ours = replayed[name][key]
            assert ours.shape == expected.shape, f"{name}/{key}"
            torch.testing.assert_close(ours, expected, atol=ATOL, rtol=0,
                                       msg=lambda m, n=f"{name}/{key}": f"{n}: {m}")
            compared += 1
    assert compared > 0, "forward.pt holds no intermediates we know how to compare"


def test_precomputed_text_gives_identical_output(golden: dict) -> None:
    for name, case in golden["forward"].items():
        model = _load_model(golden, name)
        inputs = case["inputs"]
        extras = {k: v for k, v in inputs.items() if k not in (*IMAGE_INPUTS, "tokens", "mask")}
        with torch.no_grad():
            text = model.encode_text(inputs["tokens"], inputs.get("mask"))
            out = model(inputs["x_t"], inputs["timesteps"], text=text, **extras)
        torch.testing.assert_close(out, case["outputs"]["output"], atol=ATOL, rtol=0)
