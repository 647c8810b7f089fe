"""The canvas bench's Free Transform part on a small document: it starts, drags and applies through the
real controller, and leaves the document as it was."""

from __future__ import annotations

import pytest

from glide_desktop.ui import transform_jobs
from glide_desktop.ui.canvas import CanvasView
from glide_desktop.ui.canvas.bench import build_document
from glide_desktop.ui.canvas.bench_transform import print_transforms, transform_drags
from glide_desktop.ui.tools import ToolBox
from glide_desktop.ui.undo import DocumentUndo
from tests.document.conftest import snapshot


@pytest.mark.parametrize("worker", [False, True])
def test_transform_drags_time_every_move_and_change_nothing(qtbot, capsys, monkeypatch, worker):
    if worker:  # as on a big document: the preview's pictures and the resampling off the GUI thread
        monkeypatch.setattr(transform_jobs, "BACKGROUND_PIXELS", 0)
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    doc = build_document(300, 200, 3)
    canvas.set_document(doc, DocumentUndo(doc))
    tools = ToolBox(canvas)
    tools.set_tool("move")
    start = snapshot(doc)
    runs = transform_drags(canvas, tools, (("fit", canvas.fit), ("100 %", canvas.actual_size)), moves=5)
    assert [run.label for run in runs] == ["bottom layer, fit", "bottom layer, 100 %"]
    assert all(len(run.moves_ms) == 5 and run.paints >= 5 for run in runs)
    assert all(0 < run.box_ms <= run.ready_ms and run.apply_ms > 0 and run.apply_stall_ms > 0 for run in runs)
    # Each apply landed one step, undone afterwards: the document is as it was.
    assert canvas.tool is tools.active_tool and snapshot(doc) == start
    assert canvas.undo.stack.undoText() == "" and canvas.undo.stack.redoText() == "Free Transform"
    print_transforms(runs)
    assert capsys.readouterr().out.count("bottom layer") == 2
