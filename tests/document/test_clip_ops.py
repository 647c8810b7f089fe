"""Copy takes the selected pixels with alpha scaled by coverage; cut clears them as one exact step."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glide_desktop.document.clip_ops import cleared, cut_command
from glide_desktop.document.document import Document
from glide_desktop.document.geometry import Rect
from glide_desktop.document.history import History
from glide_desktop.document.selected import selected_pixels
from glide_desktop.document.selection import ellipse_coverage, rect_coverage
from tests.document.conftest import gradient_layer


def test_copy_and_cut_share_the_coverage():
    pixels = np.full((1, 3, 4), 200, np.uint8)
    coverage = np.array([[0.0, 0.5, 1.0]], np.float32)
    assert cleared(pixels, coverage)[0, :, 3].tolist() == [200, 100, 0]
    assert cleared(pixels, None).max() == 0
    doc = Document(3, 1)
    doc.selection.coverage[...] = coverage
    copied, area = selected_pixels(pixels, Rect(0, 0, 3, 1), doc.selection)
    assert area == Rect(1, 0, 2, 1) and copied[0, :, 3].tolist() == [100, 200]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(-4, 20), st.integers(-4, 14), st.integers(1, 12), st.integers(1, 10),
                          st.booleans(), st.tuples(st.integers(-3, 3), st.integers(-3, 3))),
                min_size=1, max_size=4))
def test_cuts_undo_and_redo_to_exact_bytes(cuts):
    doc, history = Document(16, 12), History()
    doc.insert_layer(gradient_layer(14, 10, seed=5))
    states = [doc.layers[0].pixels.tobytes()]
    for x, y, w, h, soft, offset in cuts:
        doc.layers[0].offset = offset
        shape = ellipse_coverage if soft else rect_coverage
        doc.selection.clear().combine("replace", shape(doc.size, (x + 0.3, y, w, h)))
        command = cut_command(doc)
        if command is None:
            continue
        history.push(doc, command)
        states.append(doc.layers[0].pixels.tobytes())
    for expected in reversed(states[:-1]):
        history.undo(doc)
        assert doc.layers[0].pixels.tobytes() == expected
    for expected in states[1:]:
        history.redo(doc)
        assert doc.layers[0].pixels.tobytes() == expected
