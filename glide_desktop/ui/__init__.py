"""Widgets only: main window shell, canvas view, tools, panels, dialogs."""
