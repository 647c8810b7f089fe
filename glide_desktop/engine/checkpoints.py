"""Safe checkpoint reading and strict loading: tensors only, never unpickled objects, plain-word errors.

A checkpoint file is one flat mapping from parameter name to tensor, saved either by `torch.save`
(zip or legacy pickle format) or as safetensors. Torch files are read with `weights_only=True`,
so a pickle that names any Python callable or class is refused before anything in it runs.
For convenience a file that wraps the mapping as `{"state_dict": {...}}` or `{"model": {...}}`,
next to nothing but non-tensor metadata (epoch, step...), is also accepted; no deeper nesting.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import torch
from torch import Tensor, nn

from glide_desktop.engine.checkpoint_layouts import (
    Candidates,
    Layout,
    closest_layout,
    layout_of,
    matching_name,
)
from glide_desktop.engine.mapped_pages import release_mapped

__all__ = [
    "Candidates",
    "CheckpointError",
    "Layout",
    "check_layout",
    "check_state_dict",
    "closest_layout",
    "copy_state_dict",
    "layout_of",
    "load_into",
    "read_state_dict",
]

WRAPPER_KEYS = ("state_dict", "model")
SHOWN_KEYS = 5  # how many bad keys an error lists; the rest are counted
SHOWN_SHAPES = 3  # shape lines are long: fewer of them

_ZIP_MAGIC = b"PK\x03\x04"


class CheckpointError(Exception):
    """A checkpoint file cannot be used; the message names the file and is shown to the user."""


# ---------------------------------------------------------------- reading


def read_state_dict(path: Path | str) -> dict[str, Tensor]:
    """Read a .pt/.pth/.bin or .safetensors file into a flat name -> tensor dict, on the CPU."""
    return _read_state(Path(path))[0]


def _read_state(path: Path) -> tuple[dict[str, Tensor], bool]:
    """The flat state dict, and whether its tensors are views of a private mapping of the file."""
    head = _read_head(path)
    kind = _sniff(head)
    if kind == "safetensors" or (kind is None and path.suffix == ".safetensors"):
        return _read_safetensors(path), False
    if kind is None:
        raise CheckpointError(
            f"{path} is not a model checkpoint: it is neither a PyTorch file nor a safetensors file."
        )
    if path.suffix.lower() == ".safetensors":
        # torch.load itself picks its reader by this suffix, so such a file cannot be read as what it is.
        raise CheckpointError(
            f"{path} was not loaded: this is a PyTorch checkpoint with a .safetensors name. "
            f"Rename it to {path.stem}.pt."
        )
    mapped = kind == "zip"
    return _unwrap(_read_torch(path, mmap=mapped), path), mapped


def _read_head(path: Path) -> bytes:
    if not path.exists():
        raise CheckpointError(f"{path} was not found.")
    if not path.is_file():
        raise CheckpointError(f"{path} is not a file.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as error:
        raise CheckpointError(f"{path} cannot be read: {error.strerror or error}.") from None
    if size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes): the download did not finish; re-download it.")
    return head


def _sniff(head: bytes) -> str | None:
    """Tell the container format from the first bytes: 'zip', 'pickle', 'safetensors' or None."""
    if head.startswith(_ZIP_MAGIC):
        return "zip"  # torch.save since PyTorch 1.6
    if len(head) >= 9 and head[8:9] == b"{":
        return "safetensors"  # 8-byte little-endian header length, then a JSON header
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"  # legacy torch.save: a pickle protocol marker first
    return None


def _incomplete(path: Path) -> CheckpointError:
    size = path.stat().st_size
    return CheckpointError(f"{path}: the file is incomplete: {size:,} bytes, re-download it.")


def _read_torch(path: Path, mmap: bool) -> object:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "protocol 41": damage, reported below if fatal
            # mmap: tensors stay in the page cache instead of a second copy in RAM.
            return torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
    except pickle.UnpicklingError as error:
        if "GLOBAL" in str(error):
            raise CheckpointError(
                f"{path} holds code and was not loaded: besides tensors it names Python objects or "
                "functions that would run when opened. Use the official checkpoint file instead."
            ) from None
        if "truncated" in str(error):
            raise _incomplete(path) from None
        raise CheckpointError(f"{path} is damaged or is not a model checkpoint.") from None
    except EOFError:
        raise _incomplete(path) from None
    except RuntimeError as error:
        if "central directory" in str(error) or "unexpected EOF" in str(error):
            raise _incomplete(path) from None
        raise CheckpointError(f"{path} is damaged or is not a model checkpoint.") from None
    except MemoryError:
        raise CheckpointError(f"{path} cannot be read: there is not enough memory.") from None
    except Exception:  # damaged pickles reach asserts and struct unpacking deep inside torch.load
        raise CheckpointError(f"{path} is damaged or is not a model checkpoint.") from None


def _read_safetensors(path: Path) -> dict[str, Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(path, device="cpu")
    except SafetensorError as error:
        text = str(error)
        if "not fully covered" in text or "invalid header length" in text or "too small" in text:
            raise _incomplete(path) from None
        raise CheckpointError(f"{path} is damaged or is not a safetensors checkpoint.") from None
    except MemoryError:
        raise CheckpointError(f"{path} cannot be read: there is not enough memory.") from None
    except Exception:  # any other failure inside the reader is damage, told with the file's name
        raise CheckpointError(f"{path} is damaged or is not a safetensors checkpoint.") from None


def _unwrap(content: object, path: Path) -> dict[str, Tensor]:
    """Return the flat name -> tensor mapping inside a loaded object, or explain why there is none."""
    if not isinstance(content, Mapping):
        raise CheckpointError(
            f"{path} holds a {type(content).__name__}, not a mapping from parameter names to tensors."
        )
    inner = _wrapped_state(content)
    if inner is not None:
        content = inner
    if not content:
        raise CheckpointError(f"{path} holds no tensors.")
    for key, value in content.items():
        if not isinstance(key, str):
            raise CheckpointError(f"{path} is not a name -> tensor mapping: it has the key {key!r}.")
        if not isinstance(value, Tensor):
            raise CheckpointError(
                f"{path} is not a flat name -> tensor mapping: '{key}' holds a {type(value).__name__}."
            )
    return dict(content)


def _wrapped_state(content: Mapping) -> Mapping | None:
    """The inner mapping of a {"state_dict": ...} or {"model": ...} wrapper with only metadata beside it."""
    if any(isinstance(value, Tensor) for value in content.values()):
        return None
    inner = [content[k] for k in WRAPPER_KEYS if isinstance(content.get(k), Mapping)]
    if len(inner) != 1 or not inner[0]:
        return None
    if not all(isinstance(value, Tensor) for value in inner[0].values()):
        return None
    return inner[0]


# ---------------------------------------------------------------- checking


def check_state_dict(
    state: Mapping[str, Tensor],
    model: nn.Module,
    path: Path | str,
    candidates: Candidates | None = None,
    expected: str | None = None,
) -> None:
    """Raise CheckpointError unless state has exactly model's keys and shapes, with float weights.

    candidates maps a checkpoint name (e.g. "upsample.pt") to a callable building that layout
    (a module, a state_dict or a name -> shape mapping, meta tensors welcome); the error says
    which one the file most resembles. expected names the checkpoint the model wants; without it,
    the candidate whose layout equals the model's is taken.
    """
    target = model.state_dict(keep_vars=True)
    check_layout(state, layout_of(target), path, candidates, expected)
    not_float = [k for k, t in target.items() if t.is_floating_point() and not state[k].is_floating_point()]
    if not_float:
        first = not_float[0]
        raise CheckpointError(
            f"{path} is not a usable checkpoint: {len(not_float)} weight(s) hold {state[first].dtype} "
            f"values where floating-point numbers are expected, e.g. {_list(not_float)}."
        )


def check_layout(state: Mapping[str, Tensor], wanted: Layout, path: Path | str,
                 candidates: Candidates | None = None, expected: str | None = None) -> None:
    """Raise CheckpointError (saying what the file resembles) unless state has exactly wanted's layout."""
    found = layout_of(state)
    if found != wanted:
        raise CheckpointError(_mismatch_message(found, wanted, Path(path), candidates or {}, expected))


def _mismatch_message(
    found: Layout, wanted: Layout, path: Path, candidates: Candidates, expected: str | None
) -> str:
    if expected is None:
        expected = matching_name(wanted, candidates)
    summary = _resemblance(found, candidates, expected)
    lines = [f"{path} does not fit the {expected or 'requested'} network: {summary}"]
    missing = [k for k in wanted if k not in found]
    unexpected = [k for k in found if k not in wanted]
    misshaped = [k for k in wanted if k in found and found[k] != wanted[k]]
    if missing:
        lines.append(f"Missing weights ({len(missing)} of {len(wanted)}): {_list(missing)}")
    if unexpected:
        lines.append(f"Unexpected weights ({len(unexpected)}): {_list(unexpected)}")
    if misshaped:
        shown = [f"{k} is {list(found[k])} in the file, the model needs {list(wanted[k])}" for k in misshaped]
        lines.append(f"Wrong shapes ({len(misshaped)}): " + _list(shown, sep="; ", limit=SHOWN_SHAPES))
    return "\n".join(lines)


def _resemblance(found: Layout, candidates: Candidates, expected: str | None) -> str:
    best = closest_layout(found, candidates, prefer=expected)
    wanted_text = f"{expected} was expected" if expected else "it was expected for another model"
    if not candidates:
        return "its weights do not match the model."
    if best is None:
        names = ", ".join(candidates)
        return f"it does not look like any known checkpoint ({names}); {wanted_text}."
    name, score = best
    if name == expected:
        return f"it resembles {expected} but does not match it; it may be damaged or from another release."
    exact = "this is" if score == 1.0 else "this looks like"
    return f"{exact} {name}, but {wanted_text}."


def _list(items: list[str], sep: str = ", ", limit: int = SHOWN_KEYS) -> str:
    shown = sep.join(items[:limit])
    rest = len(items) - limit
    return shown + (f"{sep}and {rest} more" if rest > 0 else "")


# ---------------------------------------------------------------- loading


def load_into(
    model: nn.Module,
    path: Path | str,
    candidates: Candidates | None = None,
    expected: str | None = None,
    device: torch.device | str | None = None,
) -> nn.Module:
    """Read, check and copy a checkpoint into model in place, casting each tensor to its parameter's dtype.

    A model built on the meta device gets real tensors on `device` (default CPU); any other model
    keeps its device and dtypes. Returns the model.
    """
    state, mapped = _read_state(Path(path))
    check_state_dict(state, model, path, candidates, expected)
    copy_state_dict(model, state, device, release=release_mapped if mapped else None)
    return model


def copy_state_dict(
    model: nn.Module, state: dict[str, Tensor], device: torch.device | str | None = None,
    release: Callable[[Tensor], object] | None = None,
) -> None:
    """Copy checked tensors into model one at a time (state is emptied), so memory never doubles.

    release, given for a memory-mapped file, hands each source's pages back once copied, so the
    file's mapping never adds more than one tensor to the resident memory.
    """
    device = torch.device("cpu") if device is None else torch.device(device)
    with torch.no_grad():
        for name, target in model.state_dict(keep_vars=True).items():
            source = state.pop(name)
            if target.is_meta:
                value = torch.empty(target.shape, dtype=target.dtype, device=device)
                value.copy_(source)  # casts fp16/fp32 to the parameter's dtype, detaches from the mmap
                _replace(model, name, value)
            else:
                target.copy_(source)
            if release is not None:
                release(source)
            del source
    left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:
        # Non-persistent buffers built on meta cannot be filled from a file: a bug in the model code.
        raise RuntimeError(f"{type(model).__name__} still has meta tensors after loading: {_list(left)}")


def _replace(model: nn.Module, name: str, value: Tensor) -> None:
    owner_name, _, leaf = name.rpartition(".")
    owner = model.get_submodule(owner_name)
    if leaf in owner._parameters:
        old = owner._parameters[leaf]
        owner._parameters[leaf] = nn.Parameter(value, requires_grad=old.requires_grad)
    else:
        owner._buffers[leaf] = value
