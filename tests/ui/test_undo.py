"""DocumentUndo: delegation to document commands, merging, clean state and the memory budget."""

from __future__ import annotations

from glide_desktop.ui.undo import DocumentUndo


class FakeDoc:
    """A document that is a list of values; commands set one slot."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.applied = 0


class SetValue:
    """Sets doc.values[key] = after; merges with later SetValue on the same key when mergeable."""

    text = "Set value"

    def __init__(self, key: str, before: int | None, after: int, nbytes: int = 10, mergeable: bool = False):
        self.key, self.before, self.after = key, before, after
        self.nbytes = nbytes
        self.merge_key = ("set", key) if mergeable else None

    def redo(self, doc: FakeDoc) -> None:
        doc.values[self.key] = self.after
        doc.applied += 1

    def undo(self, doc: FakeDoc) -> None:
        if self.before is None:
            doc.values.pop(self.key, None)
        else:
            doc.values[self.key] = self.before

    def try_merge(self, other: SetValue) -> bool:
        if other.key != self.key:
            return False
        self.after = other.after
        self.nbytes += other.nbytes  # like a stroke keeping every piece it merged
        return True


def test_push_applies_and_undo_redo_delegate(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc)
    undo.push(SetValue("a", None, 1))
    undo.push(SetValue("a", 1, 2))
    assert doc.values == {"a": 2}
    undo.undo()
    assert doc.values == {"a": 1}
    undo.undo()
    assert doc.values == {}
    undo.redo()
    assert doc.values == {"a": 1}
    assert undo.stack.count() == 2


def test_applied_command_is_not_applied_again_on_push(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc)
    command = SetValue("a", None, 5)
    command.redo(doc)  # the live stroke
    undo.push(command, applied=True)
    assert doc.applied == 1
    undo.undo()
    undo.redo()
    assert doc.values == {"a": 5} and doc.applied == 2


def test_mergeable_commands_become_one_step(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc)
    for value in (1, 2, 3):
        undo.push(SetValue("opacity", 0 if value == 1 else value - 1, value, mergeable=True))
    assert undo.stack.count() == 1
    undo.undo()
    assert doc.values == {"opacity": 0}


def test_modified_follows_clean_state(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc)
    seen: list[bool] = []
    undo.modifiedChanged.connect(seen.append)
    assert not undo.modified
    undo.push(SetValue("a", None, 1))
    assert undo.modified
    undo.mark_saved()
    assert not undo.modified
    undo.undo()
    assert undo.modified
    assert seen == [True, False, True]


def test_budget_drops_oldest_steps_and_keeps_document(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc, budget_bytes=250)
    for i in range(5):
        undo.push(SetValue(f"k{i}", None, i, nbytes=100))
    # 5 x 100 bytes over a 250 byte budget: only the two newest steps remain.
    assert undo.stack.count() == 2
    assert undo.nbytes == 200
    assert doc.values == {f"k{i}": i for i in range(5)}
    undo.undo()
    undo.undo()
    assert not undo.stack.canUndo()
    assert doc.values == {"k0": 0, "k1": 1, "k2": 2}
    undo.redo()
    assert doc.values["k3"] == 3


def test_budget_keeps_a_single_step_larger_than_the_budget(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc, budget_bytes=50)
    undo.push(SetValue("a", None, 1, nbytes=10))
    undo.push(SetValue("b", None, 2, nbytes=400))
    assert undo.stack.count() == 1
    undo.undo()
    assert doc.values == {"a": 1}


def test_budget_trim_keeps_modified_when_saved_state_was_dropped(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc, budget_bytes=150)
    undo.mark_saved()
    undo.push(SetValue("a", None, 1, nbytes=100))
    undo.push(SetValue("b", None, 2, nbytes=100))
    assert undo.stack.count() == 1
    assert undo.modified
    undo.undo()
    # The saved state (empty) cannot be reached any more, so the document stays modified.
    assert undo.modified


def test_budget_trim_moves_the_saved_state_along(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc, budget_bytes=250)
    undo.push(SetValue("a", None, 1, nbytes=100))
    undo.push(SetValue("b", None, 2, nbytes=100))
    undo.mark_saved()
    undo.push(SetValue("c", None, 3, nbytes=100))
    assert undo.stack.count() == 2
    assert undo.modified
    undo.undo()
    assert not undo.modified


def test_end_merge_starts_a_new_step(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc)
    undo.push(SetValue("opacity", 0, 1, mergeable=True))
    undo.push(SetValue("opacity", 1, 2, mergeable=True))
    undo.end_merge()
    undo.push(SetValue("opacity", 2, 3, mergeable=True))
    assert undo.stack.count() == 2
    undo.undo()
    assert doc.values == {"opacity": 2}


def test_a_closed_push_takes_no_later_merges(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc)
    undo.push(SetValue("name", None, 1, mergeable=True), close=True)
    undo.push(SetValue("name", 1, 2, mergeable=True))
    assert undo.stack.count() == 2
    undo.undo()
    assert doc.values == {"name": 1}


def test_a_growing_merged_step_counts_against_the_budget(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc, budget_bytes=250)
    undo.push(SetValue("a", None, 1, nbytes=100))
    undo.push(SetValue("stroke", None, 1, nbytes=100, mergeable=True))
    assert undo.stack.count() == 2
    undo.push(SetValue("stroke", 1, 2, nbytes=100, mergeable=True))
    assert undo.stack.count() == 1
    assert undo.nbytes == 200
    undo.undo()
    assert doc.values == {"a": 1}



def test_a_drag_keeps_merging_after_its_push_trimmed_history(qtbot):
    doc = FakeDoc()
    undo = DocumentUndo(doc, budget_bytes=250)
    undo.push(SetValue("a", None, 1, nbytes=200))
    undo.push(SetValue("drag", None, 1, nbytes=100, mergeable=True))  # trims "a"
    assert undo.stack.count() == 1
    undo.push(SetValue("drag", 1, 2, nbytes=10, mergeable=True))
    assert undo.stack.count() == 1
    undo.undo()
    assert "drag" not in doc.values and doc.values["a"] == 1
