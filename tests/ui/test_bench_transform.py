"""The canvas bench's Free Transform part on a small document: it drags and leaves nothing changed."""

from __future__ import annotations

from glide_desktop.ui.canvas import CanvasView
from glide_desktop.ui.canvas.bench import build_document
from glide_desktop.ui.canvas.bench_transform import print_transforms, transform_drags
from tests.document.conftest import snapshot


def test_transform_drags_time_every_move_and_change_nothing(qtbot, capsys):
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    doc = build_document(300, 200, 3)
    canvas.set_document(doc, None)
    start = snapshot(doc)
    runs = transform_drags(canvas, (("fit", canvas.fit), ("100 %", canvas.actual_size)), moves=5)
    assert [run.label for run in runs] == ["bottom layer, fit", "bottom layer, 100 %"]
    assert all(len(run.moves_ms) == 5 and run.start_ms > 0 and run.paints >= 5 for run in runs)
    assert canvas.tool is None and snapshot(doc) == start
    print_transforms(runs)
    assert capsys.readouterr().out.count("bottom layer") == 2
