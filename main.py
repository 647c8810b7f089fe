"""Launcher (and PyInstaller's entry script): the same dispatch as `python -m glide_desktop`."""

from glide_desktop.__main__ import run

if __name__ == "__main__":
    raise SystemExit(run())
