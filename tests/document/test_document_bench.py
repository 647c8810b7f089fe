"""The document benchmark on a small document prints every row, Free Transform's included."""

from __future__ import annotations

from glide_desktop.document import bench


def test_small_bench_prints_the_free_transform_rows(capsys):
    bench.main(["--width", "480", "--height", "440", "--layers", "3", "--strokes", "2"])
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if line.startswith("Free Transform")]
    assert [row.split(",")[0] for row in rows] == [
        "Free Transform start", "Free Transform 240x220", "Free Transform 480x440", "Free Transform 480x440"]
    assert all(" s (CPU " in row for row in rows)
    assert any(line.startswith("Hue/Saturation preview") for line in lines)
