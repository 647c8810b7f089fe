"""Stamping a floating piece (Alt-drag while it floats): the piece lands where it lies and the same piece
floats on as a copy; random moves, stamps and landings undo and redo exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.floating_command import FloatingSelection
from glide_desktop.document.history import History
from tests.document.conftest import snapshot, undo_all_then_redo_all
from tests.document.test_floating import _prepared, delta, move


def _stamp(doc, history: History, step: FloatingSelection) -> FloatingSelection | None:
    """What the Move tool does on an Alt-press while step floats: land it, float its piece on as a copy."""
    carried = step.carried()
    if step.land(doc):
        history.push(doc, step)
    else:
        step.undo(doc)
    if carried is None:
        return FloatingSelection.start(doc, True)
    return FloatingSelection.stamped(doc, step.layer_uid, carried)


def test_a_stamp_floats_the_very_piece_that_landed():
    spec = {"offset": (0, 0), "size": (30, 20), "mask": "none", "shape": (2, 2, 8, 6), "feather": 2,
            "copy": False, "deltas": [], "end": "land"}
    doc, history = _prepared(spec), History()
    step = FloatingSelection.start(doc)
    step.redo(doc)
    step.move_to(doc, (9, 5))
    piece = step.piece.pixels.copy()
    fresh = _stamp(doc, history, step)
    fresh.redo(doc)
    assert np.array_equal(fresh.piece.pixels, piece)
    assert fresh.piece.offset == (step.rect.x + 9, step.rect.y + 5)
    assert fresh.text == "Move copy of selection"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(move.filter(lambda spec: spec["mask"] != "edit"), st.lists(st.lists(delta, max_size=3), max_size=3))
def test_stamps_undo_all_and_redo_all_exactly(spec, rounds):
    doc, history = _prepared(spec), History()
    start = snapshot(doc)
    step = FloatingSelection.start(doc, spec["copy"])
    if step is None:
        return
    step.redo(doc)
    for d in spec["deltas"]:
        step.move_to(doc, d)
    for deltas in rounds:  # each round: Alt-press (stamp), then drag the copy about
        step = _stamp(doc, history, step)
        if step is None:
            break
        step.redo(doc)
        for d in deltas:
            step.move_to(doc, d)
    if step is not None:
        if step.land(doc):
            history.push(doc, step)
        else:
            step.undo(doc)
    end = snapshot(doc)
    assert all(layer.name != "Floating selection" for layer in doc.layers)
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    undo_all_then_redo_all(doc, history, start, end)
