"""Derive resources/tokenizers/clip_bpe_merges.txt from CLIP's bpe_simple_vocab_16e6.txt.gz.

The CLIP tokenizer uses only merges 1..48894 (49152 - 256 - 2) of the 262k in that file, so the
project ships just those, as plain text. Source: clip/bpe_simple_vocab_16e6.txt.gz inside the
MIT-licensed clip-anytorch wheel (`pip download --no-deps clip-anytorch==2.6.0`; never install it).

    python packaging/make_clip_merges.py path/to/bpe_simple_vocab_16e6.txt.gz
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

N_MERGES = 49152 - 256 - 2
TARGET = Path(__file__).resolve().parents[1] / "resources" / "tokenizers" / "clip_bpe_merges.txt"
HEADER = "#CLIP BPE merges 1..48894 of bpe_simple_vocab_16e6.txt.gz (clip-anytorch 2.6.0, MIT)"


def main(source: str) -> None:
    """Write the header and the used merge lines, one 'a b' pair per line."""
    lines = gzip.decompress(Path(source).read_bytes()).decode("utf-8").split("\n")
    TARGET.write_text("\n".join([HEADER, *lines[1 : N_MERGES + 1]]) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1])
