"""Full-size official networks, built on the meta device, against the checkpoint format facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from glide_desktop.engine.config import OFFICIAL_PRESETS, UNetConfig
from glide_desktop.engine.nn import GlideUNet, build_unet, convert_to_fp16

NAMES = sorted(OFFICIAL_PRESETS)
DTYPES = {"float32": torch.float32, "float16": torch.float16}


def _read_tsv(path: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Rows of a keys.tsv as dicts, plus the `# total_params` line as a dict."""
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:] if line and not line.startswith("#")]
    total_line = next(line for line in lines if line.startswith("# total_params")).lstrip("# ").split("\t")
    totals = dict(zip(total_line[0::2], total_line[1::2]))
    return rows, totals


@pytest.fixture(scope="module")
def format_options(format_dir: Path) -> dict:
    return json.loads((format_dir / "options.json").read_text())


def _meta_model(name: str) -> GlideUNet:
    return build_unet(OFFICIAL_PRESETS[name], device="meta")


def test_every_diffusion_checkpoint_has_a_preset(format_options: dict) -> None:
    diffusion = {k.removesuffix(".pt") for k, v in format_options.items()
                 if k.endswith(".pt") and isinstance(v, dict) and "super_res" in v}
    assert diffusion == set(OFFICIAL_PRESETS)


@pytest.mark.parametrize("name", NAMES)
def test_from_options_equals_preset(name: str, format_options: dict) -> None:
    assert UNetConfig.from_options(format_options[f"{name}.pt"]) == OFFICIAL_PRESETS[name]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_respacing(name: str, format_options: dict) -> None:
    expected = format_options["notebook_overrides"][f"{name}.pt"]["timestep_respacing"]
    assert OFFICIAL_PRESETS[name].default_respacing == expected


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_keys_order_and_shapes(name: str, format_dir: Path) -> None:
    rows, _ = _read_tsv(format_dir / f"{name}.keys.tsv")
    ours = [(key, list(value.shape)) for key, value in _meta_model(name).state_dict().items()]
    theirs = [(row["key"], json.loads(row["shape"])) for row in rows]
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    assert ours == theirs


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_is_named_parameters(name: str) -> None:
    model = _meta_model(name)
    assert list(model.state_dict()) == [n for n, _ in model.named_parameters()]


@pytest.mark.parametrize("name", NAMES)
def test_parameter_counts(name: str, format_dir: Path, format_options: dict) -> None:
    _, totals = _read_tsv(format_dir / f"{name}.keys.tsv")
    facts = format_options["param_counts"][f"{name}.pt"]
    state = _meta_model(name).state_dict()
    assert sum(t.numel() for t in state.values()) == facts["params"] == int(totals["total_params"])
    assert len(state) == facts["keys"] == int(totals["num_keys"])
    assert OFFICIAL_PRESETS[name].in_channels == facts["in_channels"]


@pytest.mark.parametrize("name", NAMES)
def test_fp16_conversion_matches_tsv(name: str, format_dir: Path, format_options: dict) -> None:
    rows, _ = _read_tsv(format_dir / f"{name}.keys.tsv")
    model = _meta_model(name)
    assert all(t.dtype == DTYPES[row["dtype"]] for row, t in zip(rows, model.state_dict().values()))
    converted = convert_to_fp16(model).state_dict()
    after = {row["key"]: DTYPES[row["dtype_after_convert_to_fp16"]] for row in rows}
    assert {k: t.dtype for k, t in converted.items()} == after
    fp16 = [k for k, t in converted.items() if t.dtype == torch.float16]
    assert len(fp16) == format_options["param_counts"][f"{name}.pt"]["fp16_keys_after_convert"]


def test_build_unet_float16_applies_the_conversion() -> None:
    model = build_unet(OFFICIAL_PRESETS["base"], device="meta", dtype=torch.float16)
    reference = convert_to_fp16(build_unet(OFFICIAL_PRESETS["base"], device="meta"))
    assert {k: t.dtype for k, t in model.state_dict().items()} == {
        k: t.dtype for k, t in reference.state_dict().items()
    }
    assert model.torso_dtype == torch.float16
    assert model.positional_embedding.dtype == torch.float32
