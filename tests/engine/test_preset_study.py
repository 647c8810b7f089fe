"""The preset study's parts: its distance, its table and its golden model store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from glide_desktop.engine.preset_study import GoldenStore, Row, _distance, format_table, study_inputs
from glide_desktop.engine.types import SamplerName


def test_the_distance_counts_only_selected_pixels_in_8_bit_levels() -> None:
    _, selection = study_inputs()
    a = np.zeros((1, 64, 64, 3), np.uint8)
    b = a.copy()
    b[0][selection >= 0.5] = 6  # inside: 6 levels off
    b[0][selection < 0.5] = 200  # outside: ignored
    assert _distance(a, b, selection) == 6.0
    big = np.kron(b, np.ones((1, 4, 4, 1), np.uint8))  # the same at 256 px
    assert _distance(np.zeros_like(big), big, selection) == 6.0


def test_the_table_lists_every_row_and_marks_a_missing_notebook_column() -> None:
    rows = [Row(SamplerName.DDIM, 10, 6.964, float("nan"), 70.8),
            Row(SamplerName.DPMPP_2M, 20, 0.34, 1.5, 84.0)]
    table = format_table("Base", rows).splitlines()
    assert table[0] == "### Base" and len(table) == 6
    assert table[4] == "| ddim | 10 | 6.96 | – | 70.80 |"
    assert table[5] == "| dpm++2m | 20 | 0.34 | 1.50 | 84.00 |"


def test_the_golden_store_builds_the_networks_strictly(golden_dir: Path) -> None:
    store = GoldenStore(golden_dir)
    model = store.load_unet("base_inpaint.pt", "cpu", torch.float32)
    assert model.config.inpaint and model.config.image_size == 64
    assert store.load_unet("base_inpaint.pt", "cpu", torch.float32) is model  # built once
