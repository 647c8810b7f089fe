"""The editor's main window: canvas in the middle, tools on the left, Layers/History/Generate docks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QUndoView,
    QWidget,
)

from glide_desktop import __version__
from glide_desktop.document.document import Document
from glide_desktop.document.history import DEFAULT_BUDGET
from glide_desktop.engine.types import Mode
from glide_desktop.jobs.model_import import ModelChecker
from glide_desktop.jobs.queue import GenerationJobs
from glide_desktop.ui.canvas.generation_overlay import GenerationOverlay
from glide_desktop.ui.canvas.view import CanvasView
from glide_desktop.ui.clipboard import ClipboardActions, clipboard_has_image
from glide_desktop.ui.detail_pass import DetailPassController
from glide_desktop.ui.file_actions import OPENABLE_SUFFIXES, FileActions
from glide_desktop.ui.free_transform import FreeTransformController
from glide_desktop.ui.generate_panel import GeneratePanel
from glide_desktop.ui.generation import GenerationController
from glide_desktop.ui.image_menu import ImageMenu
from glide_desktop.ui.layer_actions import LayerActions
from glide_desktop.ui.layers_panel import LayersPanel
from glide_desktop.ui.menus import build_menus, create_actions
from glide_desktop.ui.models_dialog import ModelsDialog, chosen_models_dir
from glide_desktop.ui.preferences import PreferencesDialog
from glide_desktop.ui.selection_actions import SelectionActions
from glide_desktop.ui.tools import ToolBox
from glide_desktop.ui.undo import DocumentUndo

APP_TITLE = "GLIDE Desktop"
DEFAULT_SIZE = (1400, 900)
NEW_DOCUMENT_SIZE = (1024, 768)
MIB = 1024 * 1024


class MainWindow(QMainWindow):
    """One document at a time; every edit goes through its DocumentUndo.

    The menus' commands live in small controllers behind narrow host protocols (files, selection,
    clipboard, Image menu, layers, generation); the window keeps a few one-line entry points that
    the composition root, the self-test and the tests use.
    """

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None, *,
                 jobs: GenerationJobs | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.settings = settings if settings is not None else QSettings()
        self.document: Document | None = None
        self.undo: DocumentUndo | None = None
        self.path: Path | None = None
        self.undo_group = QUndoGroup(self)
        self.resize(*DEFAULT_SIZE)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.canvas = CanvasView(self)
        self.setCentralWidget(self.canvas)
        self.toolbox = ToolBox(self.canvas, self)
        self._add_toolbars()
        self.layers_panel = LayersPanel()
        self.history_view = QUndoView(self.undo_group)
        self.history_view.setEmptyLabel("Original")
        chosen_models_dir(self.settings)  # a folder an older version kept in QSettings moves to its owner
        # The panel asks engine.locations for the models folder at each use: a new choice applies at once.
        self.generate_panel = GeneratePanel(self._has_selection)
        # "Yes, download" in Generate's prompt: open Model Files and fetch what the mode is missing.
        panel = self.generate_panel
        panel.modelsRequested.connect(lambda: self.show_models_dialog(panel.mode()))
        self.jobs = jobs
        self.model_urls: Mapping[str, str] | None = None  # None: OpenAI's addresses (tests serve locally)
        self.model_checker: ModelChecker | None = None  # the engine's layout check for imports, from app.py
        self.models_dialog: ModelsDialog | None = None
        # jobs come from the composition root; without them Generate says no engine is connected.
        self.generation = GenerationController(self, self.generate_panel, jobs,
                                               GenerationOverlay(self.canvas), self.settings, parent=self)
        self.files = FileActions(self, parent=self)
        self.selection_actions = SelectionActions(self, parent=self)
        self.layer_actions = LayerActions(self, self.generate_panel, self.generation, parent=self)
        self.layers_panel.propertiesRequested.connect(self.layer_actions.show_properties)
        self.layers_panel.message.connect(self._tell)
        self.detail_pass = DetailPassController(self, jobs, self.canvas, self.generation, self.settings,
                                                parent=self)
        self._unsubscribe: Any = None
        # Selection strokes change the selection per dab; the mode hint needs far fewer updates.
        self._mode_timer = QTimer(self)
        self._mode_timer.setSingleShot(True)
        self._mode_timer.setInterval(150)
        self._mode_timer.timeout.connect(self.generate_panel.refresh_mode)
        self._mode_timer.timeout.connect(self.generation.refresh_frame)
        self._mode_timer.timeout.connect(self._prepare_models)
        self._add_docks()
        self._build_status_bar()
        self.free_transform = FreeTransformController(self, self.toolbox, self)
        self.actions_by_name = create_actions(self)
        self.recent_menu = build_menus(self, self.actions_by_name)
        self.clipboard = ClipboardActions(self, self)
        self.clipboard.install(self.actions_by_name["copy"], self.actions_by_name["paste"])
        self.image_menu = ImageMenu(self, self)
        self.image_menu.install(self.menuBar())
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        QApplication.clipboard().dataChanged.connect(self._update_paste)
        self._update_paste()
        self._restore_settings()
        self.new_document(*NEW_DOCUMENT_SIZE)

    # --- construction ----------------------------------------------------------------------------
    def _add_toolbars(self) -> None:
        toolbar, options = self.toolbox.toolbar, self.toolbox.options_bar
        # saveState needs object names to put bars back where the user left them.
        toolbar.setObjectName(toolbar.objectName() or "ToolsToolBar")
        options.setObjectName(options.objectName() or "ToolOptionsToolBar")
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, toolbar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, options)

    def _add_docks(self) -> None:
        self.docks: dict[str, QDockWidget] = {}
        scroller = QScrollArea()
        scroller.setWidget(self.generate_panel)
        scroller.setWidgetResizable(True)  # the panel grows with candidates, staging and queue: it scrolls
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for name, widget in (("Layers", self.layers_panel), ("History", self.history_view),
                             ("Generate", scroller)):
            dock = QDockWidget(name, self)
            dock.setObjectName(f"{name}Dock")
            dock.setWidget(widget)
            dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.docks[name] = dock
        # Generate gets a full-height column of its own: it holds candidates, staging and the queue.
        layers, history, generate = (self.docks[name] for name in ("Layers", "History", "Generate"))
        self.splitDockWidget(layers, generate, Qt.Orientation.Horizontal)
        self.splitDockWidget(layers, history, Qt.Orientation.Vertical)
        self.resizeDocks([layers, history], [520, 260], Qt.Orientation.Vertical)
        self.resizeDocks([layers, generate], [250, 380], Qt.Orientation.Horizontal)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.hint_label = QLabel()  # a tool's lasting hint: "Floating selection — Enter to merge, …"
        self.hint_label.setObjectName("tool_hint")
        bar.addWidget(self.hint_label, 1)
        self.canvas.hintChanged.connect(self.hint_label.setText)
        self.cursor_label = QLabel()
        self.size_label = QLabel()
        self.zoom_label = QLabel("100%")
        for label, width in ((self.cursor_label, 110), (self.size_label, 120), (self.zoom_label, 60)):
            label.setMinimumWidth(width)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            bar.addPermanentWidget(label)
        self.canvas.zoomChanged.connect(self._show_zoom)
        self.canvas.cursorMoved.connect(self._show_cursor)
        self.canvas.message.connect(self._tell)

    def _update_paste(self) -> None:
        self.actions_by_name["paste"].setEnabled(clipboard_has_image())

    def _show_zoom(self, zoom: float) -> None:
        percent = zoom * 100
        # Whole percents like an editor's readout; one decimal only below 10 % where it matters.
        self.zoom_label.setText(f"{percent:.1f}%" if percent < 10 else f"{percent:.0f}%")

    def _show_cursor(self, x: int, y: int) -> None:
        inside = self.document is not None and 0 <= x < self.document.width and 0 <= y < self.document.height
        self.cursor_label.setText(f"{x}, {y} px" if inside else "")

    # --- the document ------------------------------------------------------------------------------
    def set_document(self, doc: Document, path: Path | None) -> None:
        """Show doc with a fresh history (the previous document and its history are dropped)."""
        old = self.undo
        self.undo = DocumentUndo(doc, self.history_budget(), parent=self)
        self.undo.modifiedChanged.connect(self.setWindowModified)
        # Before the stack becomes active: its indexChanged tells the Image menu the size of this document
        # (told the old one's, it took the first edit for a size change and refitted the view).
        self.document, self.path = doc, Path(path) if path is not None else None
        self.undo_group.addStack(self.undo.stack)
        self.undo_group.setActiveStack(self.undo.stack)
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = doc.subscribe(self._on_document_changed)
        self.canvas.set_document(doc, self.undo)
        self.layers_panel.set_document(doc, self.undo)
        if old is not None:
            self.undo_group.removeStack(old.stack)
            old.deleteLater()
        self.size_label.setText(f"{doc.width} × {doc.height} px")
        self.setWindowModified(False)
        self.update_title()
        self._show_zoom(self.canvas.zoom)
        self.generate_panel.refresh_mode()
        self.generation.document_replaced()

    def _on_document_changed(self, change: Any) -> None:
        if getattr(change, "selection", True):
            self._mode_timer.start()

    def history_budget(self) -> int:
        """Bytes of undo history kept per document (setting history/budgetMiB)."""
        mib = self.settings.value("history/budgetMiB", DEFAULT_BUDGET // MIB)
        try:
            return max(16, int(mib)) * MIB
        except (TypeError, ValueError):
            return DEFAULT_BUDGET

    def _tell(self, text: str) -> None:
        """A short message in the status bar (a step the Layers panel could not do, and why)."""
        self.statusBar().showMessage(text, 4000)

    def push(self, command: Any) -> None:
        """Apply a document command as one undo step."""
        if self.undo is not None:
            self.undo.push(command, close=True)

    # --- entry points kept on the window (the controllers do the work) ----------------------------
    def new_document(self, width: int, height: int,
                     background: tuple[int, int, int, int] = (255, 255, 255, 255)) -> bool:
        """Replace the document by a blank one (asks about unsaved changes first)."""
        return self.files.new_document(width, height, background)

    def open_path(self, path: str | Path) -> bool:
        """Open an image or .ora; on failure show why and keep the current document."""
        return self.files.open_path(path)

    def save_to(self, path: str | Path) -> bool:
        """Write the document as OpenRaster to path."""
        return self.files.save_to(path)

    def export_to(self, path: str | Path, options: Any = None) -> bool:
        """Write the flattened image (PNG, JPEG or WebP by suffix)."""
        return self.files.export_to(path, options)

    def maybe_save(self) -> bool:
        """True when it is fine to drop the document (unmodified, saved, or Discard chosen)."""
        return self.files.maybe_save()

    def copy(self) -> bool:
        """Copy the selected part of the active layer (or all of it) to the clipboard."""
        return self.clipboard.copy()

    def paste_as_layer(self) -> bool:
        """Add the clipboard image as a new layer above the active one."""
        return self.clipboard.paste_as_layer()

    def select_all(self) -> bool:
        """Select the whole document."""
        return self.selection_actions.select_all()

    def deselect(self) -> bool:
        """Select nothing."""
        return self.selection_actions.deselect()

    def document_name(self) -> str:
        """The file's name without folder and suffix, or Untitled."""
        return self.path.stem if self.path is not None else "Untitled"

    def update_title(self) -> None:
        """File name, the unsaved-changes mark and the app name."""
        name = self.path.name if self.path is not None else "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_TITLE}")

    # --- generation ------------------------------------------------------------------------------
    def _prepare_models(self) -> None:
        """A selection with the Generate panel open: load the networks now, so Generate samples at once."""
        if self.generate_panel.isVisible() and self._has_selection():
            self.generation.prepare_models()

    def _has_selection(self) -> bool:
        return self.document is not None and not self.document.selection.is_empty()

    def show_models_dialog(self, download: Mode | None = None) -> ModelsDialog:
        """The Model Files dialog (window-modal, not blocking), made afresh for the current folder.

        download: start fetching what that mode is missing (the answer "Yes" to Generate's prompt).
        """
        if self.models_dialog is not None and self.models_dialog.isVisible():
            self.models_dialog.raise_()
            if download is not None:
                self.models_dialog.download_for(download)
            return self.models_dialog
        dialog = ModelsDialog(self.generate_panel.models_dir, self.settings, self, urls=self.model_urls,
                              checker=self.model_checker)
        dialog.finished.connect(self._forget_models_dialog)
        self.models_dialog = dialog
        dialog.open()
        if download is not None:
            dialog.download_for(download)
        return dialog

    def show_preferences(self) -> PreferencesDialog:
        """Edit → Preferences… (window-modal, not blocking); OK saves to the settings."""
        dialog = PreferencesDialog(self.settings, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _forget_models_dialog(self, _result: int) -> None:
        if self.models_dialog is not None:
            self.models_dialog.deleteLater()
            self.models_dialog = None

    def show_about(self) -> None:
        """The About box."""
        QMessageBox.about(self, f"About {APP_TITLE}",
                          f"<b>{APP_TITLE}</b> {__version__}<p>An image editor with text-guided inpainting "
                          "by OpenAI's GLIDE, running offline on your own computer.</p>")

    # --- drag and drop -----------------------------------------------------------------------------
    @staticmethod
    def _dropped_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
        return [p for p in paths if p.suffix.lower() in OPENABLE_SUFFIXES]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self._dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = self._dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])

    # --- settings and closing --------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.toolbox.load_settings(self.settings)

    def save_settings(self) -> None:
        """Window geometry, dock layout and tool settings."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.toolbox.save_settings(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.maybe_save():
            event.ignore()
            return
        self.save_settings()
        if self.models_dialog is not None:
            self.models_dialog.close()  # a download stops (its .part stays) and its thread ends
        self.generation.shutdown()  # a running job is cancelled; its thread must end before the app
        event.accept()
