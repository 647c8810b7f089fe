"""The tool box: the tools, their vertical toolbar with shortcuts, and the options bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QToolBar, QWidget

from glide_desktop.ui.tools.base import Tool
from glide_desktop.ui.tools.icons import tool_icon
from glide_desktop.ui.tools.misc import ColorPickerTool, MoveTool
from glide_desktop.ui.tools.options import options_widget
from glide_desktop.ui.tools.painting import BrushTool, EraserTool, SelectionBrushTool
from glide_desktop.ui.tools.selection import (
    EllipseSelectTool,
    LassoTool,
    MagicWandTool,
    PolygonLassoTool,
    RectSelectTool,
)
from glide_desktop.ui.tools.state import ToolState, size_step

TOOL_CLASSES: tuple[type[Tool], ...] = (
    MoveTool, RectSelectTool, EllipseSelectTool, LassoTool, PolygonLassoTool, MagicWandTool,
    SelectionBrushTool, BrushTool, EraserTool, ColorPickerTool,
)
# Shift+key steps through tools sharing a key, like the marquee and lasso families elsewhere.
CYCLES = {Qt.Key.Key_M: ("rect_select", "ellipse_select"), Qt.Key.Key_L: ("lasso", "polygon_lasso")}

__all__ = ["Tool", "ToolBox", "ToolState"]


class ToolBox(QObject):
    """Owns the tools for one canvas: toolbar (exclusive, checkable), options bar, shortcuts, settings."""

    toolChanged = Signal(str)

    def __init__(self, canvas: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.state = ToolState(self)
        self.tools: dict[str, Tool] = {cls.name: cls(self.state) for cls in TOOL_CLASSES}
        self.toolbar = QToolBar("Tools", parent)
        self.toolbar.setObjectName("tools_toolbar")
        self.toolbar.setOrientation(Qt.Orientation.Vertical)
        self.toolbar.setMovable(False)
        self.options_bar = QToolBar("Tool options", parent)
        self.options_bar.setObjectName("tool_options_bar")
        self.options_bar.setMovable(False)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        self._options: dict[str, QAction] = {}
        for tool in self.tools.values():
            self._add_tool(tool)
        self._even_out_options()
        self._add_shortcut("Smaller brush", "[", lambda: self.change_size(-1))
        self._add_shortcut("Larger brush", "]", lambda: self.change_size(+1))
        self._add_shortcut("Next marquee tool", "Shift+M", lambda: self.cycle(CYCLES[Qt.Key.Key_M]))
        self._add_shortcut("Next lasso tool", "Shift+L", lambda: self.cycle(CYCLES[Qt.Key.Key_L]))
        self._active: Tool | None = None
        self.mode: Tool | None = None  # a tool not in the box holding the canvas a while (Free Transform)
        canvas.installEventFilter(self)
        self.set_tool("brush")

    def _add_tool(self, tool: Tool) -> None:
        action = QAction(tool_icon(tool.name), tool.label, self)
        action.setObjectName(f"tool_{tool.name}")
        action.setCheckable(True)
        action.setToolTip(tool.tooltip)
        if not tool.shortcut.startswith("Shift+"):  # the Shift+ ones are the family cycles below
            action.setShortcut(QKeySequence(tool.shortcut))
        action.triggered.connect(lambda _=False, name=tool.name: self.set_tool(name))
        self._group.addAction(action)
        self.toolbar.addAction(action)
        self.actions[tool.name] = action
        widget_action = self.options_bar.addWidget(options_widget(tool, self.state))
        widget_action.setVisible(False)
        self._options[tool.name] = widget_action

    def _even_out_options(self) -> None:
        # One height for every tool's options, so switching tools never shifts the canvas up or down.
        widgets = [self.options_bar.widgetForAction(action) for action in self._options.values()]
        height = max(widget.sizeHint().height() for widget in widgets)
        for widget in widgets:
            widget.setFixedHeight(height)

    def _add_shortcut(self, text: str, key: str, slot: Any) -> None:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(slot)
        # A shortcut fires only for an action added to a widget in the window; the canvas shows no buttons.
        self.canvas.addAction(action)
        self.actions[text] = action

    # ----- tools ----------------------------------------------------------------------------------
    @property
    def active_tool(self) -> Tool:
        """The tool the canvas currently feeds."""
        assert self._active is not None
        return self._active

    def options_for(self, name: str) -> QWidget:
        """The options-bar widget of one tool."""
        return self.options_bar.widgetForAction(self._options[name])

    def set_tool(self, name: str) -> None:
        """Activate a tool by name (see TOOL_CLASSES); unknown names raise ValueError."""
        tool = self.tools.get(name)
        if tool is None:
            raise ValueError(f"unknown tool {name!r}; known tools: {', '.join(self.tools)}")
        if tool is self._active and self.mode is None:
            return
        self._leave_mode()  # choosing a tool ends a mode (the mode's deactivate decides what that means)
        if self._active is not None:
            self._options[self._active.name].setVisible(False)
        self._active = tool
        self.actions[name].setChecked(True)
        self._options[name].setVisible(True)
        self.canvas.set_tool(tool)
        self.toolChanged.emit(name)

    def begin_mode(self, tool: Tool, options: QWidget | None = None) -> None:
        """Give the canvas (and the options bar, when options are given) to a tool that is not in the box,
        until end_mode or the choice of any tool."""
        self.mode = tool
        if options is not None:
            if tool.name not in self._options:
                options.setFixedHeight(self.options_for(self.active_tool.name).height())
                self._options[tool.name] = self.options_bar.addWidget(options)
            self._options[self.active_tool.name].setVisible(False)
            self._options[tool.name].setVisible(True)
        self.canvas.set_tool(tool)

    def end_mode(self) -> None:
        """Give the canvas and the options bar back to the chosen tool."""
        if self.mode is not None:
            self._leave_mode()
            self.canvas.set_tool(self._active)

    def _leave_mode(self) -> None:
        if self.mode is not None and self.mode.name in self._options:
            self._options[self.mode.name].setVisible(False)
            self._options[self.active_tool.name].setVisible(True)
        self.mode = None

    def cycle(self, family: tuple[str, ...]) -> None:
        """Shift+key: the next tool of a family sharing a key, or its second tool when none is active."""
        active = self._active.name if self._active is not None else ""
        index = family.index(active) + 1 if active in family else 1
        self.set_tool(family[index % len(family)])

    def change_size(self, direction: int) -> None:
        """[ (direction < 0) or ] (direction > 0): step the active painting tool's size."""
        tool = self._active
        if tool is None or not tool.has_size:
            return
        options = self.state.brushes[tool.name]
        self.state.set_brush(tool.name, size=size_step(options.size, direction))
        self.canvas.update()

    # ----- keys on the canvas when shortcuts do not reach it (no active window, e.g. tests) ------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.canvas and event.type() == QEvent.Type.KeyPress:
            return self._handle_key(event)  # type: ignore[arg-type]
        return False

    def _handle_key(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods & ~Qt.KeyboardModifier.ShiftModifier or event.isAutoRepeat():
            return False
        sequence = QKeySequence(event.keyCombination()).toString()
        for action in self.actions.values():
            shortcut = action.shortcut()
            if action.isEnabled() and not shortcut.isEmpty() and shortcut.toString() == sequence:
                action.trigger()
                return True
        return False

    # ----- settings -------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        """Store sizes, hardness, opacity, colour, tolerance and the active tool."""
        self.state.save(settings)
        settings.setValue("tools/active", self.active_tool.name)

    def load_settings(self, settings: QSettings) -> None:
        """Restore what save_settings stored (unknown or missing values keep the defaults)."""
        self.state.load(settings)
        name = settings.value("tools/active", "")
        if isinstance(name, str) and name in self.tools:
            self.set_tool(name)
