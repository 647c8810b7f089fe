"""Small documents and a snapshot helper for the document tests."""

from __future__ import annotations

import numpy as np
import pytest

from glide_desktop.document.document import Document
from glide_desktop.document.layer import Layer


def snapshot(doc: Document) -> tuple:
    """Everything observable about a document: layers in order, active layer, selection."""
    return (tuple(layer.state() for layer in doc.layers), doc.active_uid, doc.selection.coverage.tobytes())


def undo_all_then_redo_all(doc: Document, history, start: tuple, end: tuple,
                           end_pixels: np.ndarray | None = None, each=None) -> None:
    """Undo every step: the document is start again, its cached composite exact; redo every step: it is
    end again, its composite end_pixels (or exact). each(doc) runs after every undo."""
    while history.can_undo:
        history.undo(doc)
        if each is not None:
            each(doc)
    assert snapshot(doc) == start
    assert np.array_equal(doc.composite(), doc.composite_uncached())
    while history.can_redo:
        history.redo(doc)
    assert snapshot(doc) == end
    assert np.array_equal(doc.composite(), doc.composite_uncached() if end_pixels is None else end_pixels)


def gradient_layer(width: int, height: int, name: str = "gradient", seed: int = 0) -> Layer:
    """A layer with varied colours and alphas so blending mistakes show up."""
    rng = np.random.default_rng(seed)
    return Layer(rng.integers(0, 256, (height, width, 4), dtype=np.uint8), name=name)


@pytest.fixture
def small_doc() -> Document:
    """A 24x16 document with an opaque background and a noisy layer above it."""
    doc = Document(24, 16)
    doc.insert_layer(Layer.filled(24, 16, (255, 255, 255, 255), "background"))
    doc.insert_layer(gradient_layer(24, 16))
    return doc
