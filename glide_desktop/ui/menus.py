"""The main window's actions (with the platform's standard shortcuts) and its menu bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from glide_desktop.ui.tools.floating import KEEPS_FLOATING

if TYPE_CHECKING:
    from glide_desktop.ui.main_window import MainWindow

Key = QKeySequence.StandardKey
Shortcut = Key | str | tuple[Key | str, ...] | None


def _set_shortcuts(action: QAction, shortcut: Shortcut) -> QAction:
    if shortcut is not None:
        keys = shortcut if isinstance(shortcut, tuple) else (shortcut,)
        sequences: list[QKeySequence] = []
        for key in keys:
            sequences += QKeySequence.keyBindings(key) if isinstance(key, Key) else [QKeySequence(key)]
        action.setShortcuts(list(dict.fromkeys(sequences)))  # drop duplicates, keep order
    return action


def _action(window: MainWindow, text: str, slot: Callable[[], object], shortcut: Shortcut,
            tip: str) -> QAction:
    action = _set_shortcuts(QAction(text, window), shortcut)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def create_actions(window: MainWindow) -> dict[str, QAction]:
    """Every menu action by name."""
    w = window
    layers = w.layers_panel
    sel, files = w.selection_actions, w.files
    actions = {
        "new": _action(w, "&New…", files.new_with_dialog, Key.New, "Start a new image"),
        "open": _action(w, "&Open…", files.open_with_dialog, Key.Open, "Open an image or OpenRaster file"),
        "save": _action(w, "&Save", files.save, Key.Save, "Save as OpenRaster (.ora)"),
        "save_as": _action(w, "Save &As…", files.save_as, (Key.SaveAs, "Ctrl+Shift+S"),
                           "Save as OpenRaster under a new name"),
        "export": _action(w, "&Export…", files.export_with_dialog, "Ctrl+Shift+E",
                          "Save a flat PNG, JPEG or WebP"),
        "close": _action(w, "&Quit", w.close, (Key.Quit, "Ctrl+Q"), "Quit GLIDE Desktop"),
        "copy": _action(w, "&Copy", w.copy, Key.Copy, "Copy the selection of the active layer"),
        "paste": _action(w, "&Paste as New Layer", w.paste_as_layer, Key.Paste,
                         "Add the clipboard's image as a new layer"),
        "free_transform": w.free_transform.action,
        "select_all": _action(w, "Select &All", sel.select_all, Key.SelectAll, "Select the whole image"),
        "deselect": _action(w, "&Deselect", sel.deselect, (Key.Deselect, "Ctrl+Shift+A"), "Select nothing"),
        "invert_selection": _action(w, "&Invert Selection", sel.invert_selection, "Ctrl+Shift+I",
                                    "Select what is not selected"),
        "grow_selection": _action(w, "&Grow…", sel.grow_with_dialog, None,
                                  "Widen the selection by some pixels"),
        "shrink_selection": _action(w, "&Shrink…", sel.shrink_with_dialog, None,
                                    "Narrow the selection by some pixels"),
        "feather_selection": _action(w, "&Feather…", sel.feather_with_dialog, "Shift+F6",
                                     "Soften the selection's edge"),
        "zoom_in": _action(w, "Zoom &In", w.canvas.zoom_in, (Key.ZoomIn, "Ctrl+="), "Magnify the canvas"),
        "zoom_out": _action(w, "Zoom &Out", w.canvas.zoom_out, Key.ZoomOut, "Shrink the canvas"),
        "fit": _action(w, "&Fit in Window", w.canvas.fit, "Ctrl+0", "Show the whole image"),
        "actual_size": _action(w, "&Actual Size (100%)", w.canvas.actual_size, "Ctrl+1",
                               "One image pixel per screen pixel"),
        "new_layer": _set_shortcuts(layers.add_action, "Ctrl+Shift+N"),
        "duplicate_layer": _set_shortcuts(layers.duplicate_action, "Ctrl+J"),
        "delete_layer": layers.delete_action,
        "merge_down": _set_shortcuts(layers.merge_action, "Ctrl+E"),
        "flatten": layers.flatten_action,
        "new_group": layers.groups.new_group,
        "group_layers": _set_shortcuts(layers.groups.group_layers, "Ctrl+G"),
        "ungroup": _set_shortcuts(layers.groups.ungroup, "Ctrl+Shift+G"),
        "merge_group": layers.groups.merge_group,
        "move_layer_up": _set_shortcuts(layers.groups.move_up, "Ctrl+]"),
        "move_layer_down": _set_shortcuts(layers.groups.move_down, "Ctrl+["),
        "layer_properties": _action(w, "Layer &Properties…", w.layer_actions.show_properties, None,
                                    "Name, and how a generated layer was made"),
        "reroll": _action(w, "&Re-roll Generated Layer", w.layer_actions.reroll_active, "Ctrl+R",
                          "Generate the active layer again with a new seed; it is replaced when you apply"),
        "detail_pass": w.detail_pass.action,
        "models": _action(w, "&Model Files…", w.show_models_dialog, None,
                          "See and download the GLIDE checkpoint files"),
        "preferences": _action(w, "Pre&ferences…", w.show_preferences, None,
                               "Settings for every generation (precision)"),
        "about": _action(w, "&About GLIDE Desktop", w.show_about, None, "What GLIDE Desktop is"),
    }
    undo = w.undo_group.createUndoAction(w, "&Undo")
    undo.setShortcuts(QKeySequence.keyBindings(Key.Undo))
    undo.setStatusTip("Take back the last step")
    redo = w.undo_group.createRedoAction(w, "&Redo")
    redo.setShortcuts(QKeySequence.keyBindings(Key.Redo))
    redo.setStatusTip("Do again the step taken back")
    actions["undo"], actions["redo"] = undo, redo
    # Their shortcuts leave a floating selection floating: the view changes, or undo cancels it itself.
    for name in ("zoom_in", "zoom_out", "fit", "actual_size", "undo", "redo"):
        actions[name].setProperty(KEEPS_FLOATING, True)
    return actions


def build_menus(window: MainWindow, actions: dict[str, QAction]) -> QMenu:
    """Fill the menu bar; returns the Open Recent menu (rebuilt each time it opens)."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([actions["new"], actions["open"]])
    recent = file_menu.addMenu("Open &Recent")
    recent.aboutToShow.connect(lambda: fill_recent_menu(window, recent))
    file_menu.addSeparator()
    file_menu.addActions([actions["save"], actions["save_as"], actions["export"]])
    file_menu.addSeparator()
    file_menu.addAction(actions["close"])

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([actions["undo"], actions["redo"]])
    edit_menu.addSeparator()
    edit_menu.addActions([actions["copy"], actions["paste"]])
    edit_menu.addSeparator()
    edit_menu.addAction(actions["free_transform"])
    edit_menu.addSeparator()
    edit_menu.addAction(actions["models"])
    edit_menu.addAction(actions["preferences"])

    select_menu = bar.addMenu("&Select")
    select_menu.addActions([actions["select_all"], actions["deselect"], actions["invert_selection"]])
    select_menu.addSeparator()
    select_menu.addActions([actions["grow_selection"], actions["shrink_selection"],
                            actions["feather_selection"]])

    layer_menu = bar.addMenu("&Layer")
    layer_menu.addActions([actions["new_layer"], actions["duplicate_layer"], actions["delete_layer"]])
    layer_menu.addSeparator()
    layer_menu.addActions([actions["move_layer_up"], actions["move_layer_down"]])
    layer_menu.addSeparator()
    layer_menu.addActions([actions["new_group"], actions["group_layers"], actions["ungroup"]])
    layer_menu.addSeparator()
    layer_menu.addActions([actions["merge_down"], actions["merge_group"], actions["flatten"]])
    layer_menu.addSeparator()
    layer_menu.addMenu(window.layers_panel.masks.menu(layer_menu))
    layer_menu.addSeparator()
    layer_menu.addActions([actions["layer_properties"], actions["reroll"]])
    layer_menu.addAction(actions["detail_pass"])
    layer_menu.aboutToShow.connect(window.detail_pass.refresh)

    view_menu = bar.addMenu("&View")
    view_menu.addActions([actions["zoom_in"], actions["zoom_out"], actions["fit"], actions["actual_size"]])
    view_menu.addSeparator()
    window.panels_menu = view_menu.addMenu("&Panels")

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions["about"])
    return recent


def fill_recent_menu(window: MainWindow, menu: QMenu) -> None:
    """List the recent files in menu, with Clear at the end."""
    menu.clear()
    recent = window.files.recent_files()
    for number, name in enumerate(recent, start=1):
        action = menu.addAction(f"&{number % 10} {Path(name).name}")
        action.setStatusTip(name)
        action.triggered.connect(lambda _checked=False, path=name: window.open_path(path))
    if not recent:
        menu.addAction("(no recent files)").setEnabled(False)
    menu.addSeparator()
    menu.addAction("&Clear Recent Files", window.files.clear_recent)
