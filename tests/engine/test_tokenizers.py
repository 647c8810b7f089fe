"""Both tokenizers against the reference's golden prompts, with our shipped files and the reference's.

The prompts, context lengths and special tokens come from the vector set's tokenizer.json and
tokenizer.pt, so another set in the same layout runs through the same tests.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import sys
from pathlib import Path

import pytest
import torch

from glide_desktop.engine import resources
from glide_desktop.engine.tokenizers import (
    ClipTokenizer,
    Gpt2Tokenizer,
    TokenizerFileError,
    bytes_to_unicode,
    read_clip_merges,
    read_tiktoken_ranks,
)
from tests.engine.golden_set import golden_file, load_golden

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "tokenizers"
# tiktoken's published hash of r50k_base.tiktoken, the GPT-2 rank table.
R50K_SHA256 = "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"


@pytest.fixture(scope="module")
def golden(golden_dir: Path) -> dict:
    """tokenizer.json: the cases (exact prompts and their ids), context lengths and special tokens."""
    data = json.loads(golden_file(golden_dir, "tokenizer.json").read_text(encoding="utf-8"))
    assert data["cases"], "tokenizer.json holds no cases"
    return data


@pytest.fixture(scope="module")
def padded(golden_dir: Path) -> dict:
    """tokenizer.pt: the padded forms of tokenizer.json's cases, in the same order."""
    return load_golden(golden_dir, "tokenizer.pt")


def reference_gpt2_ranks(vocab_dir: Path) -> dict[bytes, int]:
    """Turn the reference's encoder.json + vocab.bpe into byte ranks, checking that the two agree."""
    char_to_byte = {char: byte for byte, char in bytes_to_unicode().items()}
    encoder = json.loads(gzip.decompress((vocab_dir / "encoder.json.gz").read_bytes()))
    ranks = {
        bytes(char_to_byte[c] for c in token): i for token, i in encoder.items() if token != "<|endoftext|>"
    }
    merges = gzip.decompress((vocab_dir / "vocab.bpe.gz").read_bytes()).decode("utf-8").split("\n")[1:]
    merges = [line.split() for line in merges if line]
    assert len(merges) == len(ranks) - 256
    for rank, (first, second) in enumerate(merges, start=256):
        assert ranks[bytes(char_to_byte[c] for c in first + second)] == rank
    return ranks


@pytest.fixture(scope="module")
def reference_rank_file(vocab_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference GPT-2 vocab written as a .tiktoken rank table."""
    ranks = reference_gpt2_ranks(vocab_dir)
    path = tmp_path_factory.mktemp("vocab") / "reference_gpt2.tiktoken"
    lines = (
        f"{base64.b64encode(token).decode()} {rank}"
        for token, rank in sorted(ranks.items(), key=lambda x: x[1])
    )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_shipped_rank_file_is_r50k_base() -> None:
    assert hashlib.sha256((SHIPPED / "gpt2.tiktoken").read_bytes()).hexdigest() == R50K_SHA256


def test_shipped_clip_merges_are_the_reference_vocab_merges(vocab_dir: Path) -> None:
    # We ship only the merges the tokenizer uses, trimmed from CLIP's file (packaging/make_clip_merges.py).
    shipped = read_clip_merges(SHIPPED / "clip_bpe_merges.txt")
    reference = read_clip_merges(vocab_dir / "bpe_simple_vocab_16e6.txt.gz")
    assert len(shipped) == 48894 and shipped == reference


def test_shipped_rank_file_equals_reference_vocab(vocab_dir: Path) -> None:
    assert read_tiktoken_ranks(SHIPPED / "gpt2.tiktoken") == reference_gpt2_ranks(vocab_dir)


def test_licences_ship_beside_the_files() -> None:
    for name in ("LICENSE-openai-whisper.txt", "LICENSE-openai-clip.txt"):
        assert "MIT License" in (SHIPPED / name).read_text()


@pytest.mark.golden
@pytest.mark.parametrize("source", ["shipped", "reference"])
def test_gpt2_ids_match_reference(golden: dict, source: str, request: pytest.FixtureRequest) -> None:
    path = None if source == "shipped" else request.getfixturevalue("reference_rank_file")
    tokenizer = Gpt2Tokenizer(path)
    wrong = [c["prompt"] for c in golden["cases"] if tokenizer.encode(c["prompt"]) != c["gpt2_ids"]]
    assert not wrong, f"GPT-2 ids differ for {wrong!r}"


@pytest.mark.golden
@pytest.mark.parametrize("source", ["shipped", "reference"])
def test_clip_ids_match_reference(golden: dict, source: str, request: pytest.FixtureRequest) -> None:
    vocab = (
        None if source == "shipped" else request.getfixturevalue("vocab_dir") / "bpe_simple_vocab_16e6.txt.gz"
    )
    tokenizer = ClipTokenizer(vocab)
    wrong = [c["prompt"] for c in golden["cases"] if tokenizer.encode(c["prompt"]) != c["clip_ids"]]
    assert not wrong, f"CLIP ids differ for {wrong!r}"


@pytest.mark.golden
def test_gpt2_padded_tokens_and_mask(golden: dict, padded: dict) -> None:
    tokenizer = Gpt2Tokenizer()
    text_ctx = golden.get("text_ctx", padded["gpt2_padded_tokens"].shape[1])
    ours = [tokenizer.padded(c["gpt2_ids"], text_ctx) for c in golden["cases"]]
    assert torch.equal(torch.tensor([p[0] for p in ours]), padded["gpt2_padded_tokens"])
    assert torch.equal(torch.tensor([p[1] for p in ours]), padded["gpt2_mask"])
    assert tokenizer.end_token == golden.get("gpt2_end_token", tokenizer.end_token)


@pytest.mark.golden
def test_clip_padded_tokens_and_length(golden: dict, padded: dict) -> None:
    tokenizer = ClipTokenizer()
    clip_ctx = golden.get("clip_ctx", padded["clip_padded_tokens"].shape[1])
    ours = [tokenizer.padded(c["clip_ids"], clip_ctx) for c in golden["cases"]]
    assert torch.equal(torch.tensor([p[0] for p in ours]), padded["clip_padded_tokens"])
    assert [p[1] for p in ours] == padded["clip_len"].tolist()
    assert [p[1] for p in ours] == [c["clip_len"] for c in golden["cases"]]
    assert (tokenizer.start_token, tokenizer.end_token) == (
        golden.get("clip_start_token", tokenizer.start_token),
        golden.get("clip_end_token", tokenizer.end_token),
    )


def test_uncond_row_is_all_padding() -> None:
    tokens, mask = Gpt2Tokenizer().uncond(128)
    assert tokens == [50256] * 128
    assert mask == [False] * 128


def test_prompt_must_be_text() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        Gpt2Tokenizer().encode(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a str"):
        ClipTokenizer().encode(None)  # type: ignore[arg-type]


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TokenizerFileError, match="GPT-2 rank table"):
        Gpt2Tokenizer(tmp_path / "missing.tiktoken").encode("a")
    (tmp_path / "bad.txt.gz").write_bytes(b"not gzip")
    with pytest.raises(TokenizerFileError, match="CLIP BPE vocab"):
        ClipTokenizer(tmp_path / "bad.txt.gz").encode("a")


def test_resources_found_in_a_frozen_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "resources" / "tokenizers").mkdir(parents=True)
    (tmp_path / "resources" / "tokenizers" / "x.txt").write_text("x")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_path("tokenizers", "x.txt") == tmp_path / "resources" / "tokenizers" / "x.txt"
    with pytest.raises(FileNotFoundError, match="installation is incomplete"):
        resources.resource_path("tokenizers", "gpt2.tiktoken")


def test_resources_found_in_a_checkout() -> None:
    assert resources.resource_path("tokenizers", "gpt2.tiktoken") == SHIPPED / "gpt2.tiktoken"
