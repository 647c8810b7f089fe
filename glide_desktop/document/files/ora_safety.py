"""Guards for reading untrusted OpenRaster zips: entry names, zip bombs, stack.xml without DTDs,
and the pixel budget checked from the layers' PNG headers before anything is decoded."""

from __future__ import annotations

import os
import re
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree as ET

import defusedxml
from defusedxml import ElementTree as SafeET

from glide_desktop.document.files.errors import DocumentFileError

MAX_ENTRY_BYTES = 1 << 30  # one uncompressed entry
MAX_TOTAL_BYTES = 4 << 30  # everything uncompressed together
MAX_RATIO = 250  # uncompressed / compressed; PNG data is already compressed, so bombs stand out
RATIO_FREE_BYTES = 1 << 20  # small entries (stack.xml) may compress well without suspicion
MAX_XML_BYTES = 4 << 20
MAX_ENTRIES = 10_000
MAX_LAYERS = 1_000
MAX_DEPTH = 64  # nested <stack> groups; real files use a handful
MAX_DOCUMENT_PIXELS = 400_000_000  # all layers together: 1.6 GB of RGBA8 once decoded
# A layer may reach past the canvas (GIMP keeps layers whole when the canvas shrinks), but may hold at
# most this many times the canvas's pixels, or LAYER_FLOOR_PIXELS for small canvases.
LAYER_AREA_FACTOR = 4
LAYER_FLOOR_PIXELS = 16_000_000
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def member_name(name: str) -> str:
    """A zip member name that stays inside the archive, else DocumentFileError."""
    clean = name.replace("\\", "/")
    parts = clean.split("/")
    if (not clean or clean.startswith("/") or re.match(r"^[A-Za-z]:", clean) or ".." in parts
            or "\x00" in clean):
        raise DocumentFileError(f"The file refers to {name!r}, a path outside the archive; refusing it.")
    return clean


class SafeArchive:
    """A zip opened for reading with entry names checked and every read bounded."""

    def __init__(self, source: str | os.PathLike | BinaryIO, label: str):
        self.label = label
        try:
            self._zip = zipfile.ZipFile(source)
        except FileNotFoundError as exc:
            raise DocumentFileError(f"{label} does not exist.") from exc
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise DocumentFileError(f"{label} is not a valid OpenRaster file (damaged zip).") from exc
        try:
            self._check()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def _check(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise DocumentFileError(f"{self.label} has too many entries to be an OpenRaster file.")
        total = 0
        for info in infos:
            member_name(info.filename)
            if info.file_size > MAX_ENTRY_BYTES:
                raise DocumentFileError(f"{self.label}: entry {info.filename} is too large to unpack.")
            if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise DocumentFileError(f"{self.label} looks like a zip bomb ({info.filename}); refusing it.")
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise DocumentFileError(f"{self.label} would unpack to {total} bytes; refusing it.")
        first = infos[0] if infos else None
        if first is not None and first.filename == "mimetype":
            if self.read("mimetype", 256).strip() != b"image/openraster":
                raise DocumentFileError(f"{self.label} is a zip file but not an OpenRaster image.")
        names = {info.filename for info in infos}
        if "stack.xml" not in names:
            raise DocumentFileError(f"{self.label} has no stack.xml, so it is not an OpenRaster image.")

    def read(self, name: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
        """The bytes of one entry, refusing to produce more than limit (declared sizes may lie)."""
        try:
            info = self._zip.getinfo(name)
        except KeyError as exc:
            raise DocumentFileError(f"{self.label} is missing {name}, named in its stack.xml.") from exc
        if info.file_size > limit:
            raise DocumentFileError(f"{self.label}: {name} is larger than allowed.")
        chunks, size = [], 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise DocumentFileError(f"{self.label}: {name} unpacks beyond its limit.")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise DocumentFileError(f"{self.label} is damaged: cannot read {name} ({exc}).") from exc
        return b"".join(chunks)

    def head(self, name: str, count: int) -> bytes:
        """The first count bytes of one entry (a header), without unpacking the rest."""
        try:
            info = self._zip.getinfo(name)
        except KeyError as exc:
            raise DocumentFileError(f"{self.label} is missing {name}, named in its stack.xml.") from exc
        try:
            with self._zip.open(info) as stream:
                return stream.read(count)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise DocumentFileError(f"{self.label} is damaged: cannot read {name} ({exc}).") from exc


def parse_stack_xml(data: bytes) -> ET.Element:
    """Parse stack.xml with defusedxml: DTDs and entities are refused whatever the encoding."""
    if len(data) > MAX_XML_BYTES:
        raise DocumentFileError("stack.xml is too large.")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise DocumentFileError("stack.xml contains a DTD or entity declaration; refusing it for safety.") \
            from exc
    except (ET.ParseError, ValueError, LookupError) as exc:
        raise DocumentFileError(f"stack.xml is malformed ({exc}).") from exc
    if root.tag != "image":
        raise DocumentFileError("stack.xml does not describe an image.")
    return root


def stack_entries(stack: ET.Element) -> list[tuple[ET.Element, ET.Element | None]]:
    """Every <layer> and nested <stack> (a group) in painter's order, bottom to top, each with its
    enclosing group's element (None at the top level); a group comes right after everything in it.
    At most MAX_LAYERS layers, groups at most MAX_DEPTH deep (recursion stays that shallow)."""
    entries: list[tuple[ET.Element, ET.Element | None]] = []

    def walk(element: ET.Element, group: ET.Element | None, depth: int) -> None:
        for child in reversed(list(element)):  # the file lists the top first
            if len(entries) >= MAX_LAYERS:  # groups count too: each is a node of the document
                raise DocumentFileError(f"The file has more than {MAX_LAYERS} layers; refusing it.")
            if child.tag == "layer":
                entries.append((child, group))
            elif child.tag == "stack":
                if depth >= MAX_DEPTH:
                    raise DocumentFileError(f"The layer groups nest more than {MAX_DEPTH} deep; refusing it.")
                walk(child, child, depth + 1)
                entries.append((child, group))

    walk(stack, None, 1)
    return entries


def png_size(header: bytes, name: str) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first 24 bytes), before any decoding."""
    if len(header) < 24 or not header.startswith(_PNG_SIGNATURE) or header[12:16] != b"IHDR":
        raise DocumentFileError(f"The layer image {name} is damaged or not a PNG.")
    width, height = struct.unpack(">II", header[16:24])
    if width == 0 or height == 0:
        raise DocumentFileError(f"The layer image {name} has no pixels ({width}×{height}).")
    return width, height


def check_layer_sizes(sizes: list[tuple[str, int, int]], canvas: tuple[int, int],
                      budget: int | None = None) -> None:
    """Refuse layers far larger than the canvas and documents whose layers decode past budget pixels."""
    cw, ch = canvas
    budget = MAX_DOCUMENT_PIXELS if budget is None else budget
    per_layer = max(LAYER_AREA_FACTOR * cw * ch, LAYER_FLOOR_PIXELS)
    total = 0
    for name, width, height in sizes:
        if width * height > per_layer:
            raise DocumentFileError(
                f"The layer image {name} is {width}×{height} pixels on a {cw}×{ch} canvas; a layer may hold "
                f"at most {per_layer / 1e6:.0f} megapixels ({LAYER_AREA_FACTOR}× the canvas, at least "
                f"{LAYER_FLOOR_PIXELS / 1e6:.0f}).")
        total += width * height
    if total > budget:
        raise DocumentFileError(
            f"The layers add up to {total / 1e6:.0f} megapixels, over the limit of {budget / 1e6:.0f} "
            f"megapixels for one document.")


def image_size(root: ET.Element, max_pixels: int) -> tuple[int, int]:
    """The canvas size declared by stack.xml, checked against max_pixels."""
    try:
        width, height = int(root.get("w", "")), int(root.get("h", ""))
    except ValueError as exc:
        raise DocumentFileError("stack.xml does not give a valid image width and height.") from exc
    if width <= 0 or height <= 0:
        raise DocumentFileError(f"stack.xml gives an impossible image size {width}×{height}.")
    if width * height > max_pixels:
        raise DocumentFileError(
            f"The image is {width}×{height} pixels, over the limit of {max_pixels / 1e6:.0f} megapixels.")
    return width, height


def is_zip(path: str | os.PathLike) -> bool:
    """True when the file starts like a zip archive."""
    try:
        with open(Path(path), "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False
