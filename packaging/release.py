"""Turn PyInstaller's folder into the release folder and its archive (`make release` runs this).

    python packaging/release.py --app build/pyinstaller/dist/glide-desktop [--models FOLDER] [--dist dist]

The release folder, dist/glide-desktop-<version>-<platform>/, holds the executable and _internal/
(PyInstaller's), icons/, LICENSE, THIRD-PARTY-NOTICES.txt, README.txt, models/ when asked for, and on
Linux the .desktop file, the .ora MIME type and their installer (packaging/linux/). The archive beside
it is a .tar.gz (a .zip on Windows). Run with the Python that ran PyInstaller: the notices list the
packages of that environment.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tarfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]  # this checkout's glide_desktop, and the helper modules
MODEL_SUFFIXES = (".pt", ".safetensors", ".json")
LINUX_FILES = ("glide-desktop.desktop", "glide-desktop-mime.xml", "install-desktop-entry.sh")


def platform_tag() -> str:
    """linux-x86_64, windows-x86_64, macos-arm64, ...: the archive's platform part."""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


def build_variant() -> str:
    """"" for the CPU build, "-cuda" when the environment's torch was built with CUDA."""
    import torch

    return "-cuda" if torch.version.cuda else ""


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under folder, symbolic links not followed."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def copy_models(source: Path, target: Path) -> list[str]:
    """Copy the checkpoint files (and models.json) of source into target; returns their names."""
    names = sorted(p.name for p in source.iterdir() if p.is_file() and p.suffix in MODEL_SUFFIXES)
    if not names:
        raise SystemExit(f"MODELS={source} holds no .pt or .safetensors files")
    target.mkdir()
    for name in names:
        shutil.copy2(source / name, target / name)
    return names


def add_files(release: Path, version: str, glibc: str) -> None:
    """Icons, licence, notices and the artist's README next to the executable."""
    import third_party_notices

    icons = release / "icons"
    icons.mkdir()
    for icon in sorted((ROOT / "resources" / "icons").iterdir()):
        shutil.copy2(icon, icons / icon.name)
    shutil.copy2(ROOT / "LICENSE", release / "LICENSE")
    (release / "THIRD-PARTY-NOTICES.txt").write_text(third_party_notices.notices(release, version),
                                                     encoding="utf-8")
    readme = (HERE / "README-release.txt").read_text(encoding="utf-8")
    (release / "README.txt").write_text(readme.format(version=version, platform=platform_tag(), glibc=glibc),
                                        encoding="utf-8")


def add_linux_files(release: Path) -> str:
    """The .desktop file, MIME type and installer; returns the minimum glibc the folder needs."""
    sys.path.insert(0, str(HERE / "linux"))
    from glibc_floor import glibc_floor

    for name in LINUX_FILES:
        shutil.copy2(HERE / "linux" / name, release / name)
    version, needed_by = glibc_floor(release)
    print(f"minimum glibc: {version} (needed by {needed_by})")
    return version


def make_archive(release: Path) -> Path:
    """dist/<release>.tar.gz (zip on Windows), holding the release folder."""
    if sys.platform == "win32":
        archive = release.with_name(release.name + ".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
            for path in sorted(release.rglob("*")):
                handle.write(path, path.relative_to(release.parent))
        return archive
    archive = release.with_name(release.name + ".tar.gz")
    with tarfile.open(archive, "w:gz", compresslevel=6) as handle:
        handle.add(release, arcname=release.name)
    return archive


def build(app: Path, dist: Path, models: Path | None) -> Path:
    """Assemble the release folder from PyInstaller's app folder, then archive it; returns the archive."""
    from glide_desktop import __version__

    if not (app / "_internal").is_dir():
        raise SystemExit(f"{app} is not a PyInstaller one-folder build (no _internal/)")
    release = dist / f"glide-desktop-{__version__}-{platform_tag()}{build_variant()}"
    for old in (release, *(release.with_name(release.name + suffix) for suffix in (".tar.gz", ".zip"))):
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    dist.mkdir(parents=True, exist_ok=True)
    shutil.move(str(app), str(release))
    app_bytes, app_files = folder_size(release)
    if models is not None:
        print(f"bundled models: {', '.join(copy_models(models, release / 'models'))}")
    glibc = add_linux_files(release) if sys.platform.startswith("linux") else "not applicable"
    add_files(release, __version__, glibc)
    began = time.perf_counter()
    archive = make_archive(release)
    total, files = folder_size(release)
    print(f"app folder (PyInstaller): {app_bytes / 1e6:.0f} MB in {app_files} files")
    print(f"release folder {release}: {total / 1e6:.0f} MB in {files} files")
    print(f"archive {archive}: {archive.stat().st_size / 1e6:.0f} MB "
          f"(compressed in {time.perf_counter() - began:.0f} s)")
    return archive


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, required=True, help="PyInstaller's output folder")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the release goes")
    parser.add_argument("--models", default="", help="a folder of model files to bundle (default none)")
    args = parser.parse_args(argv)
    models = Path(args.models).expanduser() if args.models.strip() else None
    if models is not None and not models.is_dir():
        raise SystemExit(f"MODELS={models} is not a folder")
    build(args.app, args.dist, models)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
