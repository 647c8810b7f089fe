"""The noised CLIP against the reference: every output stored in clip.pt, golden weights loaded strictly.

The config, inputs and runs come from the vector set itself (options.json, clip.pt and the
clip_guided runs its manifest lists), so another set in the same layout runs through these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from glide_desktop.engine.clip import ClipConfig, ClipGuidance, ClipImageEncoder, ClipTextEncoder
from glide_desktop.engine.tokenizers import ClipTokenizer
from tests.engine.golden_set import CLIP_MODELS, golden_file, load_golden, options, runs_of_kind

pytestmark = pytest.mark.golden
ATOL = 1e-4
RTOL = 1e-6  # with atol: another CPU kind rounds vectorised maths one ulp differently


@pytest.fixture(scope="module")
def golden_clip(golden_dir: Path) -> dict:
    """clip.pt: prompts, grad_scale, inputs/* and outputs/*."""
    return load_golden(golden_dir, "clip.pt")


@pytest.fixture(scope="module")
def guidance(golden_dir: Path) -> ClipGuidance:
    """The golden CLIP pair built from options.json and loaded strictly from models.pt."""
    config = options(golden_dir).get("clip_config")
    if config is None:
        pytest.skip("this golden set has no CLIP (options.json holds no clip_config)")
    cfg = ClipConfig.from_dict(config)
    weights = load_golden(golden_dir, "models.pt")
    assert set(CLIP_MODELS) <= set(weights), f"options.json has a clip_config; models.pt lacks {CLIP_MODELS}"
    image_name, text_name = CLIP_MODELS
    image_encoder, text_encoder = ClipImageEncoder(cfg), ClipTextEncoder(cfg)
    image_encoder.load_state_dict(weights[image_name], strict=True)
    text_encoder.load_state_dict(weights[text_name], strict=True)
    return ClipGuidance(image_encoder, text_encoder, ClipTokenizer(), cfg.logit_scale)


def compute(name: str, clip: dict, guidance: ClipGuidance) -> torch.Tensor:
    """Our value for one output name of clip.pt."""
    inputs = clip["inputs"]
    images, t = inputs["images"], inputs["t"]
    text = guidance.text_encoder
    image = guidance.image_encoder
    with torch.no_grad():
        producers = {
            "text_input_block": lambda: text.blocks["input"](inputs["text_tokens"]),
            "text_raw": lambda: text(inputs["text_tokens"], inputs["text_len"]),
            "text_emb": lambda: guidance.text_embeddings(clip["prompts"]),
            "image_input_block": lambda: image.blocks["input"]((images + 1) * 127.5, t),
            "image_raw": lambda: image(images, t),
            "image_emb": lambda: guidance.image_embeddings(images, t),
        }
        if name in producers:
            return producers[name]()
    if name == "cond_fn_grad":
        return guidance.cond_fn(clip["prompts"], clip["grad_scale"])(images, t)
    raise AssertionError(f"clip.pt holds an output this test does not know: {name}")


def test_prompts_tokenise_to_the_stored_text_inputs(golden_clip: dict) -> None:
    tokenizer = ClipTokenizer()
    rows = [tokenizer.padded(tokenizer.encode(prompt)) for prompt in golden_clip["prompts"]]
    assert torch.equal(torch.tensor([r[0] for r in rows]), golden_clip["inputs"]["text_tokens"])
    assert [r[1] for r in rows] == golden_clip["inputs"]["text_len"].tolist()


def test_every_stored_output_matches(golden_clip: dict, guidance: ClipGuidance) -> None:
    outputs = golden_clip["outputs"]
    assert "cond_fn_grad" in outputs and "text_emb" in outputs and "image_emb" in outputs
    for name, expected in outputs.items():
        ours = compute(name, golden_clip, guidance)
        assert ours.shape == expected.shape, name
        torch.testing.assert_close(ours, expected, atol=ATOL, rtol=RTOL, msg=lambda m, n=name: f"{n}: {m}")


def test_cond_fn_works_inside_inference_mode(golden_clip: dict, guidance: ClipGuidance) -> None:
    inputs = golden_clip["inputs"]
    with torch.inference_mode():
        grad = guidance.cond_fn(golden_clip["prompts"], golden_clip["grad_scale"])(
            inputs["images"], inputs["t"]
        )
    torch.testing.assert_close(grad, golden_clip["outputs"]["cond_fn_grad"], atol=ATOL, rtol=RTOL)


def test_cond_fn_matches_every_step_of_the_clip_guided_runs(golden_dir: Path, guidance: ClipGuidance) -> None:
    for name in runs_of_kind(golden_dir, "clip_guided"):
        run = torch.load(golden_file(golden_dir, name), weights_only=True)
        prompts, scale = run["spec"]["prompts"], run["spec"]["guidance_scale"]
        torch.testing.assert_close(guidance.text_embeddings(prompts), run["clip_text_emb"],
                                   atol=ATOL, rtol=RTOL)
        guide = guidance.cond_fn(prompts, scale)
        # Step k's cond_fn saw the sample before step k: x_T (the first draw), then each step's output.
        inputs = [run["rand_log"][0], *run["x_t_steps"][:-1]]
        assert len(run["cond_grads"]) == len(inputs), name
        steps = zip(inputs, run["cond_timesteps"], run["cond_grads"], strict=True)
        for k, (x, t, expected) in enumerate(steps):
            torch.testing.assert_close(
                guide(x, t), expected, atol=ATOL, rtol=RTOL, msg=lambda m, k=k, n=name: f"{n} step {k}: {m}"
            )
