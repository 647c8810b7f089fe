"""`python -m glide_desktop` and frozen `glide-desktop`: the editor, a CLI subcommand, or selftest."""

from __future__ import annotations

import sys

SELFTEST = "selftest"


def run(argv: list[str] | None = None) -> int:
    """Dispatch to --version, selftest, the CLI for its subcommands and --help, else start the editor."""
    argv = list(sys.argv if argv is None else argv)
    first = argv[1] if len(argv) > 1 else ""
    if first in ("-V", "--version"):
        from glide_desktop import __version__

        print(f"GLIDE Desktop {__version__}")
        return 0
    if first == SELFTEST:
        from glide_desktop import selftest

        return selftest.main(argv[2:])
    from glide_desktop import cli  # torch-free until a command runs

    if first in (*cli.COMMAND_NAMES, "-h", "--help"):
        return cli.main(argv[1:])
    from glide_desktop import app

    return app.main(argv)


if __name__ == "__main__":
    sys.exit(run())
