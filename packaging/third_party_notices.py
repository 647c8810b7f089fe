"""Write THIRD-PARTY-NOTICES.txt for a release from the build environment's installed packages.

Run with the release environment's Python (the one PyInstaller ran in), so the packages read are the
ones bundled:  python packaging/third_party_notices.py APP_FOLDER OUTPUT
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

HERE = Path(__file__).resolve().parent
LICENCES = HERE / "licenses"
ROOT_DISTRIBUTION = "glide-desktop"
LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|notice|authors|copyright)", re.IGNORECASE)
RULE = "=" * 78

QT_NOTE = """\
Qt for Python (PySide6, shiboken6) and the Qt libraries it ships are used under the GNU Lesser General
Public License version 3 (LGPL-3.0; its text and the GPL-3.0 it builds on follow at the end of this
file). They are unmodified and dynamically linked: the Qt and PySide6 shared libraries sit as separate
files in the application's _internal/PySide6 folder. You may replace them with your own builds of the
same version (a compatible, modified Qt or PySide6) and the application will use them; no other part of
GLIDE Desktop needs to be relinked. The sources of that version are published by the Qt project at
https://download.qt.io/official_releases/QtForPython/ and https://code.qt.io/cgit/qt/."""

TORCH_NOTE = """\
PyTorch is BSD-3-Clause licensed; it bundles third-party components whose licences follow."""

GLIDE_WEIGHTS = """\
GLIDE (filtered) model weights
No model weights ship with this release unless the builder added a models/ folder. OpenAI released the
GLIDE code and the filtered checkpoints with the repository https://github.com/openai/glide-text2im
under the MIT licence; its model card calls them a research release and does not recommend commercial
use. No separate licence for the weights is stated. GLIDE Desktop's own code implements the models and
loads the unchanged checkpoints."""

GCC_RUNTIME = "GPL-3.0 with the GCC Runtime Library Exception 3.1"
LGPL21 = "LGPL-2.1-or-later (dynamically linked; replace the file to relink)"
# Shared libraries PyInstaller copies from the build machine (not from a Python package):
# file name prefix -> (component, licence, licence text file in packaging/licenses or None).
SYSTEM_LIBRARIES: dict[str, tuple[str, str, str | None]] = {
    "libpython": ("Python runtime", "PSF-2.0 (see Python above)", None),
    "libssl": ("OpenSSL", "Apache-2.0", "Apache-2.0.txt"),
    "libcrypto": ("OpenSSL", "Apache-2.0", "Apache-2.0.txt"),
    "libstdc++": ("GCC C++ runtime", GCC_RUNTIME, "GCC-exception-3.1.txt"),
    "libgcc_s": ("GCC runtime", GCC_RUNTIME, "GCC-exception-3.1.txt"),
    "libgomp": ("GNU OpenMP runtime", GCC_RUNTIME, "GCC-exception-3.1.txt"),
    "libicu": ("ICU (shipped with Qt)", "Unicode (ICU) licence", "ICU.txt"),
    "libexpat": ("Expat XML parser", "MIT", None),
    "libffi": ("libffi", "MIT", None),
    "libz.": ("zlib", "Zlib", None),
    "libbz2": ("bzip2", "bzip2-1.0.6", None),
    "liblzma": ("XZ Utils liblzma", "0BSD / public domain", None),
    "libzstd": ("Zstandard", "BSD-3-Clause", None),
    "liblz4": ("LZ4", "BSD-2-Clause", None),
    "libsqlite3": ("SQLite", "public domain", None),
    "libuuid": ("util-linux libuuid", "BSD-3-Clause", None),
    "libmount": ("util-linux libmount", LGPL21, "LGPL-2.1.txt"),
    "libblkid": ("util-linux libblkid", LGPL21, "LGPL-2.1.txt"),
    "libX": ("X.Org client libraries", "MIT (X11)", None),
    "libxcb": ("XCB libraries", "MIT (X11)", None),
    "libxkbcommon": ("xkbcommon", "MIT", None),
    "libfontconfig": ("Fontconfig", "MIT-style (HPND)", None),
    "libfreetype": ("FreeType", "FreeType License (FTL)", None),
    "libpng": ("libpng", "libpng licence", None),
    "libjpeg": ("libjpeg-turbo", "IJG and BSD-3-Clause", None),
    "libglib": ("GLib", LGPL21, "LGPL-2.1.txt"),
    "libgio": ("GLib (GIO)", LGPL21, "LGPL-2.1.txt"),
    "libgobject": ("GLib (GObject)", LGPL21, "LGPL-2.1.txt"),
    "libgmodule": ("GLib (GModule)", LGPL21, "LGPL-2.1.txt"),
    "libgthread": ("GLib (GThread)", LGPL21, "LGPL-2.1.txt"),
    "libbrotli": ("Brotli", "MIT", None),
    "libcom_err": ("com_err (MIT Kerberos / e2fsprogs)", "MIT-style", None),
    "libpcre2": ("PCRE2", "BSD-3-Clause", None),
    "libselinux": ("libselinux", "public domain", None),
    "libsystemd": ("systemd library", LGPL21, "LGPL-2.1.txt"),
    "libgcrypt": ("Libgcrypt", LGPL21, "LGPL-2.1.txt"),
    "libgpg-error": ("libgpg-error", LGPL21, "LGPL-2.1.txt"),
    "libcap": ("libcap", "BSD-3-Clause", None),
    "libkrb5": ("MIT Kerberos", "MIT Kerberos licence (BSD-style)", None),
    "libk5crypto": ("MIT Kerberos", "MIT Kerberos licence (BSD-style)", None),
    "libgssapi_krb5": ("MIT Kerberos", "MIT Kerberos licence (BSD-style)", None),
    "libkeyutils": ("keyutils", LGPL21, "LGPL-2.1.txt"),
    "libdbus": ("D-Bus", "AFL-2.1 or GPL-2.0-or-later (used under AFL-2.1)", None),
    "libbsd": ("libbsd", "BSD-3-Clause and similar", None),
    "libmd": ("libmd", "BSD-3-Clause and similar", None),
}
END_TEXTS = ("LGPL-3.0.txt", "GPL-3.0.txt", "LGPL-2.1.txt", "Apache-2.0.txt", "GCC-exception-3.1.txt",
             "ICU.txt")


def bundled_distributions(root: str = ROOT_DISTRIBUTION) -> list[metadata.Distribution]:
    """The root's runtime requirements, recursively (markers evaluated here, no extras), by name."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [req for req in _requirements(metadata.distribution(root))]
    while pending:
        name = _normal(pending.pop().name)
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency this environment does not have
        seen[name] = dist
        pending.extend(_requirements(dist))
    return sorted(seen.values(), key=lambda d: _normal(d.metadata["Name"]))


def _requirements(dist: metadata.Distribution) -> list[Requirement]:
    requirements = []
    for text in dist.requires or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            requirements.append(req)
    return requirements


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_of(dist: metadata.Distribution) -> str:
    """The licence a package declares: its SPDX expression, its License field, or its classifiers."""
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    field = (meta.get("License") or "").strip().splitlines()
    if field and len(field[0]) < 120:
        return field[0]  # some packages put the whole text here: its first line names it
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    return ", ".join(classifiers) or "see the licence text below"


def licence_files(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(path inside the package, text) of every licence or notice file the package installed."""
    texts = []
    for entry in dist.files or []:
        parts = entry.parts
        in_metadata = parts[0].endswith(".dist-info")
        if in_metadata and ("licenses" in parts or LICENCE_FILE.match(entry.name)):
            path = Path(dist.locate_file(entry))
            if path.is_file():
                texts.append((str(entry), path.read_text(encoding="utf-8", errors="replace")))
    return texts


def system_libraries(app_folder: Path) -> list[tuple[str, str, str, str | None]]:
    """(file, component, licence, text file) for shared libraries copied from the build machine."""
    internal = app_folder / "_internal"
    folder = internal if internal.is_dir() else app_folder
    found = []
    for path in sorted(folder.iterdir()):
        # Links point into a package's folder (PySide6/Qt/lib, pillow.libs): listed with that package.
        if path.is_symlink() or not path.is_file() or not re.search(r"\.(so(\.\d+)*|dll|dylib)$", path.name):
            continue
        for prefix, (component, licence, text) in SYSTEM_LIBRARIES.items():
            if path.name.startswith(prefix):
                found.append((path.name, component, licence, text))
                break
        else:
            found.append((path.name, "system library", "see the build system's copyright files", None))
    return found


def _python_licence() -> str:
    for candidate in (Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
                      / "LICENSE.txt", Path(sys.base_prefix) / "LICENSE.txt"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8", errors="replace")
    return "Python Software Foundation License Version 2 (PSF-2.0): https://docs.python.org/3/license.html"


def notices(app_folder: Path, version: str) -> str:
    """The whole THIRD-PARTY-NOTICES text."""
    dists = bundled_distributions()
    out = [f"GLIDE Desktop {version}: third-party notices", RULE,
           "GLIDE Desktop (MIT, see LICENSE) bundles the components below, each under its own licence.", ""]
    out.append(f"Python {sys.version.split()[0]}: PSF-2.0")
    out += [f"{d.metadata['Name']} {d.version}: {licence_of(d)}" for d in dists]
    libraries = system_libraries(app_folder)
    out += [f"{name} ({component}): {licence}" for name, component, licence, _ in libraries]
    out += ["", RULE, GLIDE_WEIGHTS, "", RULE, f"Python {sys.version.split()[0]}", "", _python_licence()]
    for dist in dists:
        out += _package_section(dist)
    out += ["", RULE, "Libraries copied from the build system", ""]
    out += [f"{name}: {component}, {licence}" + (f" (text: {text} below)" if text else "")
            for name, component, licence, text in libraries]
    for name in END_TEXTS:
        out += ["", RULE, name.removesuffix(".txt"), "", (LICENCES / name).read_text(encoding="utf-8")]
    return "\n".join(out) + "\n"


def _package_section(dist: metadata.Distribution) -> list[str]:
    name = dist.metadata["Name"]
    lines = ["", RULE, f"{name} {dist.version}", f"Licence: {licence_of(dist)}"]
    home = dist.metadata.get("Home-page") or next(
        (url.split(",", 1)[1].strip() for url in dist.metadata.get_all("Project-URL") or []), "")
    if home:
        lines.append(f"Home page: {home}")
    if _normal(name) in ("pyside6-essentials", "shiboken6", "pyside6"):
        lines += ["", QT_NOTE]
    if _normal(name) == "torch":
        lines += ["", TORCH_NOTE]
    for path, text in licence_files(dist):
        lines += ["", f"--- {path} ---", text.rstrip()]
    return lines


def main(argv: list[str]) -> int:
    """Write the notices for the app folder argv[0] to the file argv[1]."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    from glide_desktop import __version__

    Path(argv[1]).write_text(notices(Path(argv[0]), __version__), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
