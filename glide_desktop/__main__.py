"""`python -m glide_desktop`: the editor, or a headless subcommand (generate, inpaint, bench)."""

from __future__ import annotations

import sys

CLI_COMMANDS = ("generate", "inpaint", "bench")


def run(argv: list[str] | None = None) -> int:
    """Dispatch to the CLI for its subcommands, else start the editor."""
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in CLI_COMMANDS:
        from glide_desktop import cli

        return int(cli.main(argv[1:]) or 0)
    from glide_desktop import app

    return app.main(argv)


if __name__ == "__main__":
    sys.exit(run())
