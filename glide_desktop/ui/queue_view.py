"""The generation queue as a list: what runs, what waits, each with its own Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget


class QueueView(QWidget):
    """One row per job (the running one first); the row's ✕ asks to cancel that job."""

    cancelRequested = Signal(int)  # ticket

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[int, QWidget] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.title = QLabel("Queue:")
        self._layout.addWidget(self.title)
        self.setVisible(False)

    def show_entries(self, entries: list[tuple[int, str]]) -> None:
        """(ticket, description) for every job, running first; an empty list hides the view."""
        for row in self.rows.values():
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = {}
        for ticket, text in entries:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(text)
            label.setWordWrap(True)
            cancel = QToolButton()
            cancel.setText("✕")
            cancel.setToolTip("Cancel this job (the document stays as it is)")
            cancel.setObjectName(f"cancel-{ticket}")
            cancel.clicked.connect(lambda _checked=False, t=ticket: self.cancelRequested.emit(t))
            line.addWidget(label, 1)
            line.addWidget(cancel)
            self._layout.addWidget(row)
            self.rows[ticket] = row
        self.setVisible(bool(entries))

    def cancel_button(self, ticket: int) -> QToolButton | None:
        """The ✕ of a job's row (tests click it)."""
        row = self.rows.get(ticket)
        return row.findChild(QToolButton, f"cancel-{ticket}") if row is not None else None
