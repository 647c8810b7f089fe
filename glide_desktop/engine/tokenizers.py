"""GLIDE's two tokenizers: GPT-2 byte-level BPE (diffusion models) and CLIP's BPE (noised CLIP)."""

from __future__ import annotations

import base64
import functools
import gzip
import html
import threading
from collections.abc import Sequence
from pathlib import Path

import ftfy
import regex
import tiktoken

from glide_desktop.engine.resources import resource_path

GPT2_END_TOKEN = 50256
GPT2_TEXT_CTX = 128
# GPT-2's pre-tokenizer: contractions, letter runs, digit runs, other runs (each with an optional
# leading space), then whitespace that leaves its last space for the next word.
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

CLIP_START_TOKEN = 49406
CLIP_END_TOKEN = 49407
CLIP_CTX = 77
CLIP_N_MERGES = 49152 - 256 - 2
_CLIP_SPECIALS = {"<|startoftext|>": CLIP_START_TOKEN, "<|endoftext|>": CLIP_END_TOKEN}
# Unlike GPT-2, CLIP makes every digit its own piece and keeps no leading spaces.
_CLIP_PIECES = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE,
)
_WHITESPACE = regex.compile(r"\s+")
_WORD_END = "</w>"


class TokenizerFileError(ValueError):
    """A tokenizer data file is missing or not in the expected format."""


def _as_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"a prompt must be a str, got {type(text).__name__}")
    return text


def read_tiktoken_ranks(path: Path) -> dict[bytes, int]:
    """Read a .tiktoken rank table: one 'base64(token) rank' pair per line."""
    try:
        lines = Path(path).read_bytes().splitlines()
        ranks = {base64.b64decode(token, validate=True): int(rank) for token, rank in map(bytes.split, lines)}
    except (OSError, ValueError) as error:
        raise TokenizerFileError(f"cannot read the GPT-2 rank table {path}: {error}") from error
    if sorted(ranks.values()) != list(range(len(ranks))):
        raise TokenizerFileError(f"{path}: ranks are not 0..{len(ranks) - 1} without gaps")
    return ranks


class Gpt2Tokenizer:
    """GLIDE's text tokenizer: lowercase, then GPT-2 BPE through tiktoken; never adds the end token."""

    end_token = GPT2_END_TOKEN

    def __init__(self, ranks_path: Path | None = None) -> None:
        self._ranks_path = ranks_path
        self._encoding: tiktoken.Encoding | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> tiktoken.Encoding:
        with self._lock:
            if self._encoding is None:
                path = self._ranks_path or resource_path("tokenizers", "gpt2.tiktoken")
                ranks = read_tiktoken_ranks(path)
                if len(ranks) != GPT2_END_TOKEN:
                    raise TokenizerFileError(f"{path}: expected {GPT2_END_TOKEN} ranks, found {len(ranks)}")
                self._encoding = tiktoken.Encoding(
                    name="glide_gpt2",
                    pat_str=GPT2_PATTERN,
                    mergeable_ranks=ranks,
                    special_tokens={"<|endoftext|>": GPT2_END_TOKEN},
                )
            return self._encoding

    def encode(self, text: str) -> list[int]:
        """Token ids of a prompt; '<|endoftext|>' typed in a prompt is ordinary text."""
        return self._loaded().encode_ordinary(_as_text(text).lower())

    def padded(self, ids: Sequence[int], text_ctx: int = GPT2_TEXT_CTX) -> tuple[list[int], list[bool]]:
        """The model's tokens (cut to text_ctx, padded with the end token) and mask (True = real token)."""
        if text_ctx < 1:
            raise ValueError(f"text_ctx must be positive, got {text_ctx}")
        kept = list(ids[:text_ctx])
        padding = text_ctx - len(kept)
        return kept + [self.end_token] * padding, [True] * len(kept) + [False] * padding

    def uncond(self, text_ctx: int = GPT2_TEXT_CTX) -> tuple[list[int], list[bool]]:
        """The classifier-free guidance row: all end tokens, mask all False."""
        return self.padded([], text_ctx)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table (printable Latin-1 bytes map to themselves)."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table = {byte: chr(byte) for byte in printable}
    # The other bytes (controls, space, soft hyphen...) get code points from 256 on, in byte order;
    # insertion order is the id order: printable bytes first, then the remapped ones.
    for offset, byte in enumerate(b for b in range(256) if b not in table):
        table[byte] = chr(256 + offset)
    return table


def clean_clip_text(text: str) -> str:
    """CLIP's cleaning: fix mojibake, unescape HTML twice, collapse whitespace, lowercase."""
    text = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
    return _WHITESPACE.sub(" ", text).strip().lower()


def merge_pair(word: list[str], pair: tuple[str, str]) -> list[str]:
    """Merge every left-to-right, non-overlapping occurrence of pair in word."""
    first, second = pair
    merged: list[str] = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == first and word[i + 1] == second:
            merged.append(first + second)
            i += 2
        else:
            merged.append(word[i])
            i += 1
    return merged


class ClipTokenizer:
    """The CLIP text encoder's BPE tokenizer (49,408 tokens, '</w>' marks a word's last symbol)."""

    start_token = CLIP_START_TOKEN
    end_token = CLIP_END_TOKEN

    def __init__(self, vocab_path: Path | None = None) -> None:
        self._vocab_path = vocab_path
        self._ranks: dict[tuple[str, str], int] | None = None
        self._ids: dict[str, int] = {}
        self._byte_chars = bytes_to_unicode()
        self._lock = threading.Lock()

    def _loaded(self) -> dict[tuple[str, str], int]:
        with self._lock:
            if self._ranks is None:
                path = self._vocab_path or resource_path("tokenizers", "clip_bpe_merges.txt")
                merges = read_clip_merges(path)
                symbols = list(self._byte_chars.values())
                vocab = symbols + [s + _WORD_END for s in symbols] + ["".join(pair) for pair in merges]
                self._ids = {symbol: i for i, symbol in enumerate(vocab)}
                self._ranks = {pair: rank for rank, pair in enumerate(merges)}
            return self._ranks

    @functools.lru_cache(maxsize=20_000)  # noqa: B019 - one tokenizer per process; pieces repeat a lot
    def _bpe(self, piece: str) -> tuple[str, ...]:
        ranks = self._loaded()
        word = [*piece[:-1], piece[-1] + _WORD_END]
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda pair: ranks.get(pair, len(ranks)))
            if best not in ranks:
                break
            word = merge_pair(word, best)
        return tuple(word)

    def encode(self, text: str) -> list[int]:
        """Token ids of a prompt, without the start and end tokens."""
        self._loaded()
        ids: list[int] = []
        for piece in _CLIP_PIECES.findall(clean_clip_text(_as_text(text))):
            if piece in _CLIP_SPECIALS:
                ids.append(_CLIP_SPECIALS[piece])
                continue
            chars = "".join(self._byte_chars[b] for b in piece.encode("utf-8"))
            ids.extend(self._ids[symbol] for symbol in self._bpe(chars))
        return ids

    def padded(self, ids: Sequence[int], ctx: int = CLIP_CTX) -> tuple[list[int], int]:
        """[start] + ids cut to ctx-2 + [end], zero-padded to ctx, and the count of non-pad tokens."""
        if ctx < 2:
            raise ValueError(f"ctx must be at least 2 (start and end tokens), got {ctx}")
        tokens = [self.start_token, *ids[: ctx - 2], self.end_token]
        return tokens + [0] * (ctx - len(tokens)), len(tokens)


def read_clip_merges(path: Path) -> list[tuple[str, str]]:
    """Merge lines 1..48894 of a CLIP vocab (line 0 is a header): CLIP's .txt.gz or our trimmed .txt."""
    try:
        data = Path(path).read_bytes()
        if Path(path).suffix == ".gz":
            data = gzip.decompress(data)
        lines = data.decode("utf-8").split("\n")
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise TokenizerFileError(f"cannot read the CLIP BPE vocab {path}: {error}") from error
    merges = [tuple(line.split()) for line in lines[1 : CLIP_N_MERGES + 1]]
    if len(merges) != CLIP_N_MERGES or any(len(pair) != 2 for pair in merges):
        raise TokenizerFileError(f"{path}: expected {CLIP_N_MERGES} merge lines of two symbols each")
    return merges  # type: ignore[return-value]


@functools.cache
def gpt2_tokenizer() -> Gpt2Tokenizer:
    """The shared GPT-2 tokenizer reading the shipped rank table (loaded on first use)."""
    return Gpt2Tokenizer()


@functools.cache
def clip_tokenizer() -> ClipTokenizer:
    """The shared CLIP tokenizer reading the shipped vocab (loaded on first use)."""
    return ClipTokenizer()
