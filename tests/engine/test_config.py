"""UNetConfig: parsing reference option dicts, defaults from the facts, and clear errors."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from glide_desktop.engine.config import DEFAULT_CHANNEL_MULT, OFFICIAL_PRESETS, TINY_PRESETS, UNetConfig
from tests.engine.golden_set import golden_file


@pytest.fixture(scope="module")
def golden_options(golden_dir: Path) -> dict:
    models = json.loads(golden_file(golden_dir, "options.json").read_text())["diffusion_models"]
    assert models, "options.json lists no diffusion models"
    return models


def _options(**changes: object) -> dict:
    """The official base option dict (as the reference writes it) with some values changed."""
    options = OFFICIAL_PRESETS["base"].to_options()
    options.update(channel_mult="", timestep_respacing="", cache_text_emb=False)
    options.update(changes)
    return options


def test_golden_options_parse_with_their_channel_mult(golden_options: dict) -> None:
    for options in golden_options.values():
        config = UNetConfig.from_options(options)
        written = options["channel_mult"]
        expected = (tuple(int(m) for m in written.split(",")) if written.strip()
                    else DEFAULT_CHANNEL_MULT[options["image_size"]])
        assert config.channel_mult == expected
        scalars = {f.name for f in dataclasses.fields(config)} - {"channel_mult", "attention_resolutions"}
        for name in scalars:
            assert getattr(config, name) == options[name], name


@pytest.mark.parametrize(("image_size", "expected"), [
    (64, (1, 2, 3, 4)), (128, (1, 1, 2, 3, 4)), (256, (1, 1, 2, 2, 4, 4)),
])
def test_empty_channel_mult_takes_the_image_size_default(image_size: int, expected: tuple) -> None:
    assert UNetConfig.from_options(_options(image_size=image_size)).channel_mult == expected


@pytest.mark.parametrize(("inpaint", "super_res", "channels"), [
    (False, False, 3), (True, False, 7), (False, True, 6), (True, True, 10),
])
def test_in_channels_per_variant(inpaint: bool, super_res: bool, channels: int) -> None:
    config = UNetConfig.from_options(_options(inpaint=inpaint, super_res=super_res))
    assert config.in_channels == channels
    assert config.out_channels == 6


def test_attention_downsample_rates() -> None:
    assert OFFICIAL_PRESETS["base"].attention_downsample_rates == (2, 4, 8)
    assert OFFICIAL_PRESETS["upsample"].attention_downsample_rates == (8, 16, 32)


def test_head_count_prefers_num_head_channels() -> None:
    base = OFFICIAL_PRESETS["base"]
    assert [base.heads_for(w) for w in (384, 576, 768)] == [6, 9, 12]
    by_count = dataclasses.replace(base, num_head_channels=-1, num_heads=4, num_heads_upsample=2)
    assert by_count.heads_for(768) == 4
    assert by_count.heads_for(768, upsample=True) == 2


def test_to_options_round_trips() -> None:
    for config in (*OFFICIAL_PRESETS.values(), *TINY_PRESETS.values()):
        assert UNetConfig.from_options(config.to_options()) == config


@pytest.mark.parametrize(("changes", "message"), [
    ({"num_layers": 3}, "unknown GLIDE model options: num_layers"),
    ({"channel_mult": "1,two,3"}, "channel_mult must be comma-separated integers"),
    ({"attention_resolutions": "32;16"}, "attention_resolutions must be comma-separated integers"),
    ({"image_size": 96}, "image_size 96 has no default"),
    ({"noise_schedule": "cosine"}, "noise_schedule must be one of"),
    ({"num_channels": 100}, "GroupNorm groups"),
    ({"xf_heads": 7}, "not divisible by xf_heads"),
    ({"num_res_blocks": "3"}, "num_res_blocks must be an integer"),
    ({"inpaint": 1}, "inpaint must be true or false"),
    ({"dropout": 1.5}, "dropout must be in [0, 1)"),
    ({"num_head_channels": 50}, "does not split into heads"),
])
def test_invalid_options_are_rejected_clearly(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        UNetConfig.from_options(_options(**changes))


def test_missing_options_are_named() -> None:
    options = _options()
    del options["xf_width"]
    with pytest.raises(ValueError, match="missing GLIDE model options: xf_width"):
        UNetConfig.from_options(options)


def test_non_mapping_is_rejected() -> None:
    with pytest.raises(ValueError, match="must be a mapping"):
        UNetConfig.from_options(["image_size", 64])  # type: ignore[arg-type]
