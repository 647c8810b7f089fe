"""`python -m glide_desktop`: the editor, or a headless subcommand (generate, inpaint, ..., --help)."""

from __future__ import annotations

import sys


def run(argv: list[str] | None = None) -> int:
    """Dispatch to the CLI for its subcommands and --help, else start the editor."""
    argv = list(sys.argv if argv is None else argv)
    from glide_desktop import cli  # torch-free until a command runs

    if len(argv) > 1 and argv[1] in (*cli.COMMAND_NAMES, "-h", "--help"):
        return cli.main(argv[1:])
    from glide_desktop import app

    return app.main(argv)


if __name__ == "__main__":
    sys.exit(run())
