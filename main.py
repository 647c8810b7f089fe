"""Thin launcher: `python main.py` opens the editor."""

from glide_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
