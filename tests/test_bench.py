"""`python -m glide_desktop bench --quick` on tiny models: the table and the JSON carry every figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glide_desktop import cli
from glide_desktop.bench.quality import image_deviation
from tests.tiny_models import write_tiny_models

pytestmark = pytest.mark.slow


def test_quick_bench_prints_the_table_and_writes_the_same_figures(qapp, tmp_path: Path, capsys) -> None:
    # qapp first: the bench makes a plain QCoreApplication when none exists, which would stay for
    # the rest of the session and starve later widget tests of their QApplication.
    models = write_tiny_models(tmp_path / "models", ("base_inpaint.pt", "upsample_inpaint.pt"))
    code = cli.main(["bench", "--models", str(models), "--quick", "--threads", "1",
                     "--json", str(tmp_path / "bench.json")])
    table = capsys.readouterr().out
    assert code == 0
    report = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert report["machine"]["cpu"] and report["machine"]["threads"] == 1
    precisions = {s["precision"] for s in report["steps"]}
    assert "fp32" in precisions and {s["network"] for s in report["steps"]} == {"base_inpaint.pt",
                                                                              "upsample_inpaint.pt"}
    for step in report["steps"]:
        assert step["step_s"] > 0 and step["gflops"] > 0 and step["load_s"] > 0 and step["text_s"] > 0
        assert f"{step['step_s']:.2f}" in table
    presets = {(r["preset"], r["precision"]) for r in report["presets"]}
    assert {("draft", "fp32"), ("balanced", "fp32"), ("notebook", "fp32")} <= presets
    assert ("notebook", "bf16") not in presets  # Notebook is fp32 by definition
    assert all(r["how"] == "estimate" for r in report["presets"]) and "estimate" in table
    for precision in precisions:
        memory = report["memory"][precision]
        assert memory["peak_rss_mb"] >= memory["rss_after_load_mb"] > 0
    r = report["responsiveness"]
    for phase in ("gui_idle", "gui_import", "gui_load", "gui_sampling"):
        assert r[phase]["ticks"] > 0 and r[phase]["max_ms"] >= r[phase]["p99_ms"] >= 0
    assert r["first_preview_s"] > 0 and r["cancel_base_s"] >= 0 and r["cancel_upsample_s"] >= 0
    assert "CUDA: not measured" in table and report["matmul_gflops"]["fp32"] > 0


def test_image_deviation_counts_levels_and_psnr() -> None:
    import numpy as np

    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    assert image_deviation(a, b)["psnr_db"] == float("inf")
    b[0, 0, 0] = 255
    result = image_deviation(a, b)
    assert result["max"] == 255 and result["mean"] == pytest.approx(255 / 48, abs=1e-3)
    assert result["psnr_db"] == pytest.approx(10 * np.log10(48), abs=0.01)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_the_memory_child_reports_its_own_peak_not_its_parents() -> None:
    """Linux hands a parent's high-water mark to its child via ru_maxrss; the bench must not report it."""
    import subprocess
    import sys

    import numpy as np

    held = np.ones(400 * 1024 * 1024 // 8)  # 400 MB resident in this (the parent) process
    code = "from glide_desktop.bench.memory import peak_resident_mb; print(peak_resident_mb())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 0 < float(done.stdout) < 200  # a bare interpreter, nowhere near the parent's 400 MB
    assert held.sum() > 0  # held until the child has run
