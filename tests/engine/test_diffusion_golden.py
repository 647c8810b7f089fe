"""Diffusion schedules, respacing and single-step math against the reference's diffusion.pt.

Every '<schedule>/<respacing>' case comes from diffusion.pt itself (and the manifest's list of
them), so another vector set in the same layout runs through the same tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from glide_desktop.engine.config import NOISE_SCHEDULES
from glide_desktop.engine.diffusion import (
    GaussianDiffusion,
    beta_schedule,
    respaced_diffusion,
    space_timesteps,
)
from glide_desktop.engine.noise import ReplayNoise
from glide_desktop.engine.samplers import SamplerRun, ancestral_step, ddim_step
from tests.engine.golden_set import load_golden, manifest_files, options

pytestmark = pytest.mark.golden
# fp32 diffusion maths: vectorised exp/log/sqrt and fused multiply-adds round one ulp differently
# on other CPU kinds (AVX2 vs AVX-512), so a relative bound goes with the absolute one.
ATOL, RTOL = 1e-4, 1e-6
RTOL_FLOAT64 = 1e-12  # the float64 schedule arrays: one ulp of numpy's vectorised log/exp elsewhere

# Facts from ../shared/glide-format/README.md ("Diffusion schedules and respacing").
FAST27 = [0, 22, 44, 66, 88, 111, 133, 155, 177, 199, 200, 222, 244, 266, 288, 311, 333, 355, 377,
          399, 400, 500, 599, 600, 799, 800, 997]


@pytest.fixture(scope="module")
def cases(golden_dir: Path) -> dict:
    """Every '<schedule>/<respacing>' case stored in diffusion.pt."""
    stored = load_golden(golden_dir, "diffusion.pt")
    assert stored, "diffusion.pt holds no cases"
    return stored


@pytest.fixture(scope="module")
def manifest_entry(golden_dir: Path) -> dict:
    """The manifest's description of diffusion.pt (its case keys and per-case tensors)."""
    return manifest_files(golden_dir)["diffusion.pt"]


@pytest.fixture(scope="module")
def model_steps(golden_dir: Path) -> dict[str, set[int]]:
    """noise schedule -> the diffusion_steps the set's models use with it (empty without options.json)."""
    if not (golden_dir / "options.json").exists():
        return {}
    steps: dict[str, set[int]] = {}
    for model in options(golden_dir).get("diffusion_models", {}).values():
        steps.setdefault(model["noise_schedule"], set()).add(model["diffusion_steps"])
    return steps


def diffusion_steps(case: dict, cases: dict, model_steps: dict[str, set[int]]) -> int:
    """The step count T a case respaces: stored, else its schedule's unrespaced case's, else the models'."""
    if "diffusion_steps" in case:
        return int(case["diffusion_steps"])
    full = {other["num_timesteps"] for other in cases.values()
            if other["schedule"] == case["schedule"] and other["respacing"] == ""}
    if case["respacing"] == "":
        return int(case["num_timesteps"])
    candidates = full or model_steps.get(case["schedule"], set())
    assert len(candidates) == 1, f"cannot tell how many steps {case['schedule']} has: {sorted(candidates)}"
    return int(next(iter(candidates)))


@pytest.fixture(scope="module")
def built(cases: dict, model_steps: dict[str, set[int]]) -> dict[str, GaussianDiffusion]:
    """Our diffusion for each case, built from its schedule name, step count and respacing string."""
    built = {}
    for key, case in cases.items():
        steps = diffusion_steps(case, cases, model_steps)
        built[key] = respaced_diffusion(case["schedule"], steps, case["respacing"])
    return built


def _float64_arrays(case: dict) -> list[str]:
    """Names of the schedule arrays a case stores (discovered, never listed by hand)."""
    return [name for name, value in case.items() if torch.is_tensor(value) and value.dtype == torch.float64]


def test_every_case_the_manifest_lists_is_stored(cases: dict, manifest_entry: dict) -> None:
    if "keys" not in manifest_entry:
        pytest.skip("the manifest does not list diffusion.pt's cases")
    assert set(cases) == set(manifest_entry["keys"])


def test_every_schedule_is_one_we_know(cases: dict) -> None:
    unknown = {case["schedule"] for case in cases.values()} - set(NOISE_SCHEDULES)
    assert not unknown, f"diffusion.pt uses schedules we do not implement: {sorted(unknown)}"


def test_every_case_holds_the_listed_schedule_arrays(cases: dict, manifest_entry: dict) -> None:
    listed = {name for name, entry in manifest_entry.get("tensors", {}).items()
              if isinstance(entry, dict) and entry.get("dtype") == "float64"}
    for key, case in cases.items():
        stored = set(_float64_arrays(case))
        assert stored, f"{key} holds no schedule arrays"
        assert listed <= stored, f"{key} lacks {sorted(listed - stored)}"


def test_timestep_maps_match(cases: dict, built: dict) -> None:
    for key, case in cases.items():
        assert built[key].timestep_map == case["timestep_map"].tolist(), key
        assert built[key].num_timesteps == case["num_timesteps"], key


def test_schedule_arrays_match_to_the_last_ulps(cases: dict, built: dict) -> None:
    for key, case in cases.items():
        for name in _float64_arrays(case):
            ours = getattr(built[key], name)
            assert ours.dtype == np.float64, (key, name)
            np.testing.assert_allclose(ours, case[name].numpy(), rtol=RTOL_FLOAT64, atol=0,
                                       err_msg=f"{key} {name}")


class FakeModel:
    """Returns the stored model output and records the timesteps it was given."""

    def __init__(self, output: torch.Tensor) -> None:
        self.output = output
        self.saw: list[torch.Tensor] = []

    def __call__(self, x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        self.saw.append(timesteps.clone())
        return self.output.clone()


class FakeCondFn(FakeModel):
    """Returns the stored gradient and records the timesteps it was given."""


def _close(ours: torch.Tensor, theirs: torch.Tensor, what: str) -> None:
    assert ours.dtype == theirs.dtype, what
    torch.testing.assert_close(ours, theirs, atol=ATOL, rtol=RTOL, msg=lambda m: f"{what}: {m}")


def _each_case(cases: dict, built: dict):
    """(key, case, diffusion, inputs) for every stored case."""
    for key, case in cases.items():
        yield key, case, built[key], case["inputs"]


@pytest.mark.parametrize("clip, stored", [(True, "p_mean_variance"), (False, "p_mean_variance_noclip")])
def test_p_mean_variance(cases: dict, built: dict, clip: bool, stored: str) -> None:
    for key, case, diffusion, inputs in _each_case(cases, built):
        model = FakeModel(inputs["model_output"])
        out = diffusion.p_mean_variance(model, inputs["x_t"], inputs["t"], clip_denoised=clip)
        assert len(model.saw) == 1
        assert model.saw[0].dtype == torch.int64
        assert torch.equal(model.saw[0], case["model_saw_timesteps"]), key
        for field in ("mean", "variance", "log_variance", "pred_xstart"):
            _close(getattr(out, field), case[stored][field], f"{key} {stored} {field}")


def _run(diffusion: GaussianDiffusion, inputs: dict, noise: torch.Tensor, cond: FakeCondFn | None,
         eta: float = 0.0) -> SamplerRun:
    """A one-step sampler run with the fake model and the stored noise draw."""
    model = FakeModel(inputs["model_output"])
    return SamplerRun(diffusion, model, ReplayNoise([noise]), None, cond, True, eta)


@pytest.mark.parametrize("stored, with_cond", [("p_sample", False), ("p_sample_cond", True)])
def test_p_sample(cases: dict, built: dict, stored: str, with_cond: bool) -> None:
    for key, case, diffusion, inputs in _each_case(cases, built):
        cond = FakeCondFn(inputs["cond_grad"]) if with_cond else None
        run = _run(diffusion, inputs, case[stored]["noise"], cond)
        x, t = inputs["x_t"], inputs["t"]
        sample_, pred_xstart = ancestral_step(run, x, t)
        _close(sample_, case[stored]["sample"], f"{key} {stored} sample")
        if "pred_xstart" in case[stored]:
            _close(pred_xstart, case[stored]["pred_xstart"], f"{key} {stored} pred_xstart")
        if with_cond:
            assert torch.equal(cond.saw[0], case[stored]["cond_fn_saw_timesteps"]), key
        assert run.noise.remaining == 0


@pytest.mark.parametrize("stored, eta, with_cond", [
    ("ddim_eta0", 0.0, False), ("ddim_eta0.5", 0.5, False), ("ddim_eta0_cond", 0.0, True)])
def test_ddim(cases: dict, built: dict, stored: str, eta: float, with_cond: bool) -> None:
    for key, case, diffusion, inputs in _each_case(cases, built):
        cond = FakeCondFn(inputs["cond_grad"]) if with_cond else None
        run = _run(diffusion, inputs, case[stored]["noise"], cond, eta)
        sample_, pred_xstart = ddim_step(run, inputs["x_t"], inputs["t"])
        _close(sample_, case[stored]["sample"], f"{key} {stored} sample")
        _close(pred_xstart, case[stored]["pred_xstart"], f"{key} {stored} pred_xstart")
        if with_cond:
            assert torch.equal(cond.saw[0], case["model_saw_timesteps"]), key
        assert run.noise.remaining == 0, "DDIM must draw noise even at eta 0"


def test_q_sample(cases: dict, built: dict) -> None:
    for key, case, diffusion, inputs in _each_case(cases, built):
        ours = diffusion.q_sample(inputs["x_start"], inputs["t"], inputs["q_noise"])
        _close(ours, case["q_sample"], f"{key} q_sample")


# -- respacing strings, against the facts in the format README -----------------------------------


def test_respacing_100_is_uniform_with_both_ends() -> None:
    kept = space_timesteps(1000, "100")
    assert len(kept) == 100
    assert kept[0] == 0 and kept[-1] == 999


def test_respacing_fast27_matches_the_documented_list() -> None:
    assert space_timesteps(1000, "fast27") == FAST27


def test_respacing_sections_keep_adjacent_pairs() -> None:
    kept = space_timesteps(1000, "10,10,3,2,2")
    assert len(kept) == 27
    assert {199, 200, 399, 400, 599, 600, 799, 800, 999} <= set(kept)
    assert set(FAST27) == (set(kept) - {999}) | {997}


def test_respacing_ddim25_strides_by_40() -> None:
    assert space_timesteps(1000, "ddim25") == list(range(0, 1000, 40))


def test_empty_respacing_keeps_every_step() -> None:
    assert space_timesteps(1000, "") == list(range(1000))


def test_respacing_rounds_half_to_even() -> None:
    # 5 of 8 steps: stride 7/4 gives cursors 0, 1.75, 3.5, 5.25, 7 -> 3.5 rounds to 4 (even).
    assert space_timesteps(8, "5") == [0, 2, 4, 5, 7]
    # 3 of 6 steps: stride 2.5 gives 0, 2.5, 5 -> 2.5 rounds to 2 (even), not 3.
    assert space_timesteps(6, "3") == [0, 2, 5]


@pytest.mark.parametrize("spec", ["abc", "ddimx", "10,,3", "ddim7000", "2000"])
def test_bad_respacing_gives_a_clear_error(spec: str) -> None:
    with pytest.raises(ValueError, match="respacing|stride|steps"):
        space_timesteps(1000, spec)


def test_unknown_schedule_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown noise schedule"):
        beta_schedule("cosine", 1000)
