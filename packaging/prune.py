"""What the release leaves out of PyInstaller's collection: files the app never uses (measured in README)."""

from __future__ import annotations

from fnmatch import fnmatch
from os.path import getsize
from pathlib import PurePosixPath

# Destination paths inside the bundle, as PyInstaller's TOC names them (forward slashes on every system).
DROPPED_FOLDERS: tuple[str, ...] = (
    "torch/test",  # C++ unit-test binaries (83 MB)
    "torch/bin",  # C++ test and benchmark tools; torch_shm_manager is kept below
    "torch/include",  # C++ headers for building extensions
    "torch/share",  # CMake files for building extensions
    "PySide6/Qt/translations",  # Qt's own dialogs in other languages; the app's text is English
    "PySide6/translations",
    "setuptools",
    "pkg_resources",
    # (one file) Qt's GTK 3 theme plugin would load the desktop's own GTK against the bundled GLib and Cairo
    # (a crash risk when they differ); the app draws its own Fusion theme anyway.
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
)
KEPT: frozenset[str] = frozenset({"torch/bin/torch_shm_manager"})  # `import torch` fails without it
DROPPED_NAMES: tuple[str, ...] = (
    # What only the GTK 3 theme plugin needs (checked with objdump -p over the built folder).
    "libatk-1.0.so*", "libcairo.so*", "libcairo-gobject.so*", "libpango-1.0.so*", "libpangocairo-1.0.so*",
    "libpangoft2-1.0.so*", "libgdk_pixbuf-2.0.so*", "libpixman-1.so*", "libgraphite2.so*", "libthai.so*",
    "libdatrie.so*", "libfribidi.so*", "libharfbuzz.so*",
    "*_test.so",  # torch's test libraries (libtorchbind_test.so, libjitbackend_test.so, ...)
    "*_test.dll",
    "*_test.dylib",
    "*.a",  # static libraries link nothing at run time
    "*.lib",
)


def is_dropped(destination: str) -> bool:
    """True when a bundled file (its path inside the bundle) is one the app never uses."""
    path = PurePosixPath(destination.replace("\\", "/"))
    text = str(path)
    if text in KEPT:
        return False
    if any(text == folder or text.startswith(folder + "/") for folder in DROPPED_FOLDERS):
        return True
    return any(fnmatch(path.name, pattern) for pattern in DROPPED_NAMES)


def prune(toc: list[tuple], sizes: dict[str, int]) -> list[tuple]:
    """The TOC without dropped entries; sizes gains the bytes dropped under their source paths."""
    kept = []
    for entry in toc:
        destination, source = entry[0], entry[1]
        if is_dropped(destination):
            try:
                sizes[source] = getsize(source)
            except OSError:
                sizes[source] = 0
        else:
            kept.append(entry)
    return kept
