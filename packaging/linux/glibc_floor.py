"""The oldest glibc a built folder runs on: the highest GLIBC_x.y symbol version its ELF files need."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
VERSION = re.compile(r"GLIBC_(\d+)\.(\d+)(?:\.(\d+))?")


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == ELF_MAGIC
    except OSError:
        return False


def needed_versions(path: Path) -> set[tuple[int, ...]]:
    """The glibc symbol versions one ELF file imports (objdump -T lists them)."""
    done = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True, check=False)
    found = set()
    for line in done.stdout.splitlines():
        if "*UND*" not in line:
            continue  # only what the file needs from glibc, not what it defines itself
        match = VERSION.search(line)
        if match:
            found.add(tuple(int(part) for part in match.groups() if part is not None))
    return found


def glibc_floor(folder: Path) -> tuple[str, str]:
    """(the minimum glibc version as text, the file that needs it) over every ELF file in folder."""
    best: tuple[int, ...] = (0,)
    culprit = ""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and _is_elf(path):
            versions = needed_versions(path)
            if versions and max(versions) > best:
                best, culprit = max(versions), str(path.relative_to(folder))
    return ".".join(map(str, best)), culprit


if __name__ == "__main__":
    version, path = glibc_floor(Path(sys.argv[1]))
    print(f"glibc {version} (needed by {path})")
