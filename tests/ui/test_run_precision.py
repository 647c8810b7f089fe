"""The precision a Generate uses: the Notebook preset keeps the reference's fp32, the others the setting."""

from __future__ import annotations

import pytest

from glide_desktop.engine.types import Precision
from glide_desktop.ui.generate_options import run_precision


@pytest.mark.parametrize("chosen", list(Precision))
def test_notebook_runs_in_fp32_whatever_the_setting(chosen: Precision) -> None:
    assert run_precision("notebook", chosen) is Precision.FP32


@pytest.mark.parametrize("preset", ["draft", "balanced", "custom"])
def test_other_presets_follow_the_setting(preset: str) -> None:
    assert run_precision(preset, Precision.BF16) is Precision.BF16
    assert run_precision(preset, Precision.AUTO) is Precision.AUTO
