"""OpenRaster (.ora) save and load, readable by Krita, GIMP and MyPaint; hostile archives are refused."""

from __future__ import annotations

import io
import json
import os
import stat
import time
import zipfile
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree as ET

import numpy as np
from PIL import Image

from glide_desktop.document.files import ora_safety as safety
from glide_desktop.document.files.atomic import atomic_write
from glide_desktop.document.files.errors import DocumentFileError, naming_file, unexpected_read_error
from glide_desktop.document.files.images import DEFAULT_MAX_PIXELS, decode_rgba
from glide_desktop.document.group import LayerGroup
from glide_desktop.document.layer import BlendMode, Layer

MIMETYPE = b"image/openraster"
GLIDE_NS = "https://github.com/glide-desktop/ns/ora"  # our namespace for extra layer attributes
THUMBNAIL_MAX = 256
# Every composite-op of the OpenRaster spec, plus the W3C modes it leaves out (exclusion, the other
# Porter-Duff operators): "svg:" and the W3C keyword.
COMPOSITE_OPS = {mode: f"svg:{mode.value}" for mode in BlendMode} | {BlendMode.NORMAL: "svg:src-over"}
BLEND_BY_OP = {op: mode for mode, op in COMPOSITE_OPS.items()} | {"svg:lighter": BlendMode.PLUS}

ET.register_namespace("glide", GLIDE_NS)


def _png_bytes(image: Image.Image, level: int = 2) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=level)  # low level: layers are big and saves should be quick
    return out.getvalue()


def _stack_xml(doc, sources: dict[int, str]) -> bytes:
    root = ET.Element("image", {"version": "0.0.3", "w": str(doc.width), "h": str(doc.height)})
    _write_children(doc, ET.SubElement(root, "stack"), None, sources)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _write_children(doc, element: ET.Element, parent: int | None, sources: dict[int, str]) -> None:
    """The children of group parent (the top level when None), top first as OpenRaster lists them."""
    for node in reversed(doc.children(parent)):
        x, y = (0, 0) if node.is_group else node.offset
        place = {"x": str(x), "y": str(y)} if node.is_group else {"src": sources[node.uid], "x": str(x),
                                                                   "y": str(y)}
        attrs = {"name": node.name, **place, "opacity": repr(float(node.opacity)),
                 "visibility": "visible" if node.visible else "hidden", "composite-op": _composite_op(node)}
        if node.metadata:
            attrs[f"{{{GLIDE_NS}}}metadata"] = json.dumps(node.metadata, default=str)
        if node.is_group:  # Krita's way: isolation says pass-through ("auto") or not ("isolate")
            attrs["isolation"] = "auto" if node.pass_through else "isolate"
            if node.collapsed:
                attrs[f"{{{GLIDE_NS}}}collapsed"] = "true"
            group = ET.SubElement(element, "stack", attrs)
            if node.mask is not None:
                _write_group_mask(node, group, sources[node.uid])
            _write_children(doc, group, node.uid, sources)
            continue
        if node.mask is not None:
            attrs |= _mask_attributes(node, attrs["src"])
        ET.SubElement(element, "layer", attrs)


def _write_group_mask(group: LayerGroup, element: ET.Element, stem: str) -> None:
    """A group's mask: ours in glide: attributes; for every reader, while it is on, a canvas-wide layer at
    the group's top whose alpha is the mask, composited svg:dst-in (it cuts the isolated group's
    projection exactly as the mask does)."""
    element.set(f"{{{GLIDE_NS}}}mask-src", f"{stem}-mask.png")
    element.set(f"{{{GLIDE_NS}}}mask-enabled", "true" if group.mask_enabled else "false")
    if group.masked:
        ET.SubElement(element, "layer", {
            "name": f"{group.name} mask", "src": f"{stem}-cut.png", "x": "0", "y": "0", "opacity": "1.0",
            "visibility": "visible", "composite-op": "svg:dst-in", f"{{{GLIDE_NS}}}group-mask": "true"})


def _group_mask_members(group: LayerGroup, stem: str) -> list[tuple[str, Image.Image]]:
    members = [(f"{stem}-mask.png", Image.fromarray(group.mask, "L"))]
    if group.masked:
        cut = np.full((*group.mask.shape, 4), 255, np.uint8)
        cut[..., 3] = group.mask
        members.append((f"{stem}-cut.png", Image.fromarray(cut, "RGBA")))
    return members


def _mask_attributes(layer: Layer, src: str) -> dict[str, str]:
    """Where our mask (and, under an active mask, the unmasked pixels) lie: other readers see src only."""
    stem = src.removesuffix(".png")
    attrs = {f"{{{GLIDE_NS}}}mask-src": f"{stem}-mask.png",
             f"{{{GLIDE_NS}}}mask-enabled": "true" if layer.mask_enabled else "false"}
    if layer.masked:
        attrs[f"{{{GLIDE_NS}}}unmasked-src"] = f"{stem}-unmasked.png"
    return attrs


def _layer_members(layer: Layer, src: str) -> list[tuple[str, Image.Image]]:
    """The PNGs of one layer: src holds what it shows (the mask applied), so any reader sees it right.

    This is what Krita itself writes: its OpenRaster export saves each layer's projection (masks
    applied) and no mask elements, so Krita reads our layers exactly as it reads its own.
    """
    everything = (slice(None), slice(None))
    members = [(src, Image.fromarray(layer.shown_pixels(everything), "RGBA"))]
    if layer.mask is not None:
        stem = src.removesuffix(".png")
        members.append((f"{stem}-mask.png", Image.fromarray(layer.mask, "L")))
        if layer.masked:
            members.append((f"{stem}-unmasked.png", Image.fromarray(layer.pixels, "RGBA")))
    return members


def _member(name: str, compress_type: int = zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    """A zip entry that unpacks as an ordinary rw-r--r-- file (writestr's default is 0600)."""
    info = zipfile.ZipInfo(name, time.localtime()[:6])
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.compress_type = compress_type
    return info


def _composite_op(layer) -> str:
    """The layer's composite-op; one we could not draw goes back as it came while the layer stays Normal."""
    if layer.foreign_op and layer.blend is BlendMode.NORMAL:
        return layer.foreign_op
    return COMPOSITE_OPS[layer.blend]


def write_ora(doc, handle: BinaryIO) -> None:
    """Write doc as an OpenRaster zip to an open binary file."""
    with zipfile.ZipFile(handle, "w") as archive:
        # The mimetype entry must come first and be stored uncompressed so that readers can sniff it.
        archive.writestr(_member("mimetype"), MIMETYPE)
        layers = doc.raster_layers()
        sources = {layer.uid: f"data/layer{index:03d}.png" for index, layer in enumerate(layers)}
        masked = [node for node in doc.layers if node.is_group and node.mask is not None]
        sources |= {group.uid: f"data/group{index:03d}" for index, group in enumerate(masked)}
        archive.writestr(_member("stack.xml", zipfile.ZIP_DEFLATED), _stack_xml(doc, sources))
        members = [member for layer in layers for member in _layer_members(layer, sources[layer.uid])]
        members += [member for group in masked for member in _group_mask_members(group, sources[group.uid])]
        for name, image in members:
            archive.writestr(_member(name), _png_bytes(image))
        merged = Image.fromarray(doc.composite_uncached(), "RGBA")
        archive.writestr(_member("mergedimage.png"), _png_bytes(merged))
        merged.thumbnail((THUMBNAIL_MAX, THUMBNAIL_MAX))
        archive.writestr(_member("Thumbnails/thumbnail.png"), _png_bytes(merged, 6))


def save_ora(doc, path: str | os.PathLike, overwrite_read_only: bool = False) -> None:
    """Save the layered document as OpenRaster, atomically (ReadOnlyFileError unless told to overwrite)."""
    atomic_write(path, lambda handle: write_ora(doc, handle), overwrite_read_only)


MAX_OFFSET = 1 << 24  # a layer position further out than this is damage, not a drawing


def _layer_attributes(node: ET.Element, kind: str = "layer") -> tuple[str, int, int, float]:
    """The layer's src, x, y and opacity, checked (a group has no src)."""
    src = safety.member_name(node.get("src", "")) if kind == "layer" else node.get("name", "group")[:80]
    try:
        x, y = int(float(node.get("x", "0"))), int(float(node.get("y", "0")))
        opacity = float(node.get("opacity", "1"))
    except (ValueError, OverflowError) as exc:  # "inf" overflows int(), "x" is no number at all
        raise DocumentFileError(f"Layer {src} has a malformed position or opacity.") from exc
    if abs(x) > MAX_OFFSET or abs(y) > MAX_OFFSET:
        raise DocumentFileError(f"Layer {src} lies impossibly far from the canvas ({x}, {y}).")
    return src, x, y, opacity if opacity == opacity else 1.0  # NaN opacity falls back to opaque


def _metadata(node: ET.Element) -> dict:
    try:
        metadata = json.loads(node.get(f"{{{GLIDE_NS}}}metadata") or "{}")
    except (ValueError, RecursionError):
        metadata = {}  # damaged extras must not cost the user the pixels
    return metadata if isinstance(metadata, dict) else {}


def _decode_layer(archive: safety.SafeArchive, src: str, size: tuple[int, int], max_pixels: int):
    try:
        pixels = decode_rgba(io.BytesIO(archive.read(src)), max_pixels, name=src, formats=("PNG",))
    except DocumentFileError as exc:
        if "megapixels" in exc.message or "missing" in exc.message or "memory" in exc.message:
            raise
        raise DocumentFileError(f"The layer image {src} is damaged or not a PNG.") from exc
    if (pixels.shape[1], pixels.shape[0]) != size:  # the header we budgeted by must be the truth
        raise DocumentFileError(f"The layer image {src} is damaged (its size changed while reading).")
    return pixels


def _parse_layers(nodes: list[ET.Element], archive: safety.SafeArchive, canvas: tuple[int, int],
                  max_pixels: int, notes: list[str], shifts: list[tuple[int, int]],
                  extra: list[tuple[str, int, int]]) -> list[Layer]:
    """Layers bottom to top (shifts: their groups' x, y); every PNG header is read and the pixel budget
    (theirs and the extra images': group masks) checked before decoding."""
    attributes = [(src, x + dx, y + dy, opacity) for (src, x, y, opacity), (dx, dy)
                  in zip([_layer_attributes(node) for node in nodes], shifts, strict=True)]
    sizes = [safety.png_size(archive.head(src, 24), src) for src, *_ in attributes]
    safety.check_layer_sizes([(src, w, h) for (src, *_), (w, h) in zip(attributes, sizes)] + extra, canvas)
    layers = []
    for node, (src, x, y, opacity), size in zip(nodes, attributes, sizes):
        name, op = node.get("name", Path(src).stem), node.get("composite-op", "svg:src-over")
        foreign = "" if op in BLEND_BY_OP else op[:200]
        if foreign:
            notes.append(f"Layer “{name[:80]}” uses the blend mode “{foreign[:80]}”, which GLIDE Desktop "
                         "cannot show; it is shown as Normal and saved with its own mode.")
        pixels, mask, enabled = _read_masked(node, archive, src, size, max_pixels)
        layers.append(Layer(
            pixels, name=name,
            visible=node.get("visibility", "visible") != "hidden", opacity=opacity,
            blend=BLEND_BY_OP.get(op, BlendMode.NORMAL), offset=(x, y), metadata=_metadata(node),
            foreign_op=foreign, mask=mask, mask_enabled=enabled,
        ))
    return layers


def _read_masked(node: ET.Element, archive: safety.SafeArchive, src: str, size: tuple[int, int],
                 max_pixels: int):
    """The layer's own pixels, its mask (None without one) and whether the mask is on."""
    mask_src = node.get(f"{{{GLIDE_NS}}}mask-src")
    unmasked_src = node.get(f"{{{GLIDE_NS}}}unmasked-src")
    if not mask_src:
        return _decode_layer(archive, src, size, max_pixels), None, True
    # The unmasked pixels stand in for src: src holds them with the mask applied, for other readers.
    pixels_src = safety.member_name(unmasked_src) if unmasked_src else src
    mask_src = safety.member_name(mask_src)
    for extra in {pixels_src, mask_src} - {src}:  # headers first: a mismatch costs no decoding
        if safety.png_size(archive.head(extra, 24), extra) != size:
            raise DocumentFileError(f"The mask image {extra} does not match its layer's size.")
    pixels = _decode_layer(archive, pixels_src, size, max_pixels)
    mask = _decode_layer(archive, mask_src, size, max_pixels)[..., 0].copy()
    return pixels, mask, node.get(f"{{{GLIDE_NS}}}mask-enabled", "true") != "false"


def _read(source: str | os.PathLike | BinaryIO, max_pixels: int, label: str, notes: list[str]):
    from glide_desktop.document.document import Document

    with safety.SafeArchive(source, label) as archive:
        root = safety.parse_stack_xml(archive.read("stack.xml"))
        width, height = safety.image_size(root, max_pixels)
        stack = root.find("stack")
        if stack is None:
            raise DocumentFileError("stack.xml has no layer stack.")
        entries = safety.stack_entries(stack)
        shifts = _group_shifts(entries)
        entries = [(node, group) for node, group in entries if not _is_group_cut(node, group)]
        masks = {id(node): _group_mask_src(node, archive, (width, height)) for node, _ in entries
                 if node.tag == "stack"}
        layer_entries = [(node, group) for node, group in entries if node.tag == "layer"]
        layers = iter(_parse_layers([node for node, _ in layer_entries], archive, (width, height), max_pixels,
                                    notes, [shifts.get(id(group), (0, 0)) for _, group in layer_entries],
                                    [(src, width, height) for src in masks.values() if src]))
        groups = {id(node): _parse_group(node, notes) for node, _ in entries if node.tag == "stack"}
        for node, _ in entries:
            if masks.get(id(node)):
                _adopt_group_mask(node, groups[id(node)], archive, masks[id(node)], max_pixels)
    doc = Document(width, height)
    nodes = []
    for node, group in entries:
        item = next(layers) if node.tag == "layer" else groups[id(node)]
        item.parent = groups[id(group)].uid if group is not None else None
        nodes.append(item)
    doc.layers = nodes  # painter's order with every group above its children, as stack_entries gives
    if nodes:
        doc.set_active(nodes[-1].uid)
    return doc


def _group_shifts(entries: list[tuple[ET.Element, ET.Element | None]]) -> dict[int, tuple[int, int]]:
    """Each group element's x, y added to those of the groups around it (Krita moves children by them)."""
    shifts: dict[int, tuple[int, int]] = {}
    for node, group in reversed(entries):  # top down: a group's enclosing group comes first
        if node.tag == "stack":
            _, x, y, _ = _layer_attributes(node, "group")
            outer = shifts.get(id(group), (0, 0))
            shifts[id(node)] = (outer[0] + x, outer[1] + y)
    return shifts


def _is_group_cut(node: ET.Element, group: ET.Element | None) -> bool:
    """The layer standing in for its group's mask for other readers (we read the mask itself)."""
    return (node.tag == "layer" and group is not None and node.get(f"{{{GLIDE_NS}}}group-mask") == "true"
            and bool(group.get(f"{{{GLIDE_NS}}}mask-src")) and group.get("isolation") == "isolate")


def _adopt_group_mask(node: ET.Element, group: LayerGroup, archive: safety.SafeArchive, src: str,
                      max_pixels: int) -> None:
    """Decode a group's mask (its size was checked with the budget) and its switch."""
    size = safety.png_size(archive.head(src, 24), src)
    group.mask = _decode_layer(archive, src, size, max_pixels)[..., 0].copy()
    group.mask_enabled = node.get(f"{{{GLIDE_NS}}}mask-enabled", "true") != "false"


def _group_mask_src(node: ET.Element, archive: safety.SafeArchive, canvas: tuple[int, int]) -> str:
    """Where an isolated group's mask lies (our glide: attributes; "" without one), its size checked."""
    src = node.get(f"{{{GLIDE_NS}}}mask-src")
    if not src or node.get("isolation") != "isolate":
        return ""
    src = safety.member_name(src)
    if safety.png_size(archive.head(src, 24), src) != canvas:
        raise DocumentFileError(f"The group mask image {src} does not match the canvas's size.")
    return src


def _parse_group(node: ET.Element, notes: list[str]) -> LayerGroup:
    _, _, _, opacity = _layer_attributes(node, "group")
    name, op = node.get("name", "Group"), node.get("composite-op", "svg:src-over")
    foreign = "" if op in BLEND_BY_OP else op[:200]
    if foreign:
        notes.append(f"Group “{name[:80]}” uses the blend mode “{foreign[:80]}”, which GLIDE Desktop "
                     "cannot show; it is shown as Normal and saved with its own mode.")
    return LayerGroup(name=name, visible=node.get("visibility", "visible") != "hidden", opacity=opacity,
                      blend=BLEND_BY_OP.get(op, BlendMode.NORMAL), foreign_op=foreign,
                      pass_through=node.get("isolation", "auto") != "isolate", metadata=_metadata(node),
                      collapsed=node.get(f"{{{GLIDE_NS}}}collapsed") == "true")


def read_ora(source: str | os.PathLike | BinaryIO, max_pixels: int = DEFAULT_MAX_PIXELS, name: str = "",
             notes: list[str] | None = None):
    """Read an OpenRaster file into a new Document; DocumentFileError (naming the file) for any failure."""
    label = name or "the file"
    try:
        return _read(source, max_pixels, label, notes if notes is not None else [])
    except DocumentFileError as exc:
        named = naming_file(exc, label)
        if named is exc:
            raise
        raise named from exc
    except Exception as exc:  # damaged data reaches zlib, struct, XML and numpy in ways no list foresees
        raise unexpected_read_error(exc, label) from exc


def load_ora(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS, notes: list[str] | None = None):
    """Open an OpenRaster file as a Document; notes gets what the user should be told about it."""
    return read_ora(path, max_pixels, Path(path).name, notes)
