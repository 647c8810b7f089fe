"""GLIDE's Gaussian diffusion: noise schedules, respacing and the per-step math (Ho et al. 2020).

Every schedule constant is a float64 numpy array. Each use indexes it at t first and then casts
the picked values to float32, because that order is what makes the results bit-identical to the
reference implementation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from glide_desktop.engine.config import NOISE_SCHEDULES

# model_fn(x, original_timesteps_int64) -> N, 2C, H, W (eps in the first C channels, v in the rest)
ModelFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
# cond_fn(x, original_timesteps_int64) -> gradient of a log-probability w.r.t. x, same shape as x
CondFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
# denoised_fn(pred_xstart) -> pred_xstart, applied before the clamp to [-1, 1]
DenoisedFn = Callable[[torch.Tensor], torch.Tensor]


def _cosine_alpha_bar(t: float) -> float:
    """Nichol & Dhariwal 2021 cumulative alpha at continuous time t in [0, 1]."""
    return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2


def beta_schedule(name: str, steps: int) -> np.ndarray:
    """The float64 betas of a named schedule ("squaredcos_cap_v2" or "linear") with `steps` steps."""
    if steps < 1:
        raise ValueError(f"a noise schedule needs at least one step, got {steps}")
    if name == "linear":
        scale = 1000 / steps  # keeps the schedule's end points comparable for any length
        return np.linspace(scale * 0.0001, scale * 0.02, steps, dtype=np.float64)
    if name == "squaredcos_cap_v2":
        betas = [
            min(1 - _cosine_alpha_bar((i + 1) / steps) / _cosine_alpha_bar(i / steps), 0.999)
            for i in range(steps)
        ]
        return np.array(betas, dtype=np.float64)
    raise ValueError(f"unknown noise schedule {name!r}; expected one of {', '.join(NOISE_SCHEDULES)}")


def _section_steps(start: int, size: int, count: int) -> list[int]:
    """Keep `count` of the `size` steps beginning at `start`, evenly strided."""
    if count > size:
        raise ValueError(f"cannot keep {count} steps from a section of only {size} steps")
    stride = 1 if count <= 1 else (size - 1) / (count - 1)
    kept, cursor = [], 0.0
    for _ in range(count):
        kept.append(start + round(cursor))  # Python's round: half to even, as the reference
        cursor += stride
    return kept


def _ddim_steps(num_timesteps: int, count: int) -> list[int]:
    """The smallest integer stride whose range(0, T, stride) has exactly `count` steps."""
    for stride in range(1, num_timesteps):
        if len(range(0, num_timesteps, stride)) == count:
            return list(range(0, num_timesteps, stride))
    raise ValueError(f"no integer stride gives exactly {count} of {num_timesteps} steps (ddim{count})")


def space_timesteps(num_timesteps: int, spec: str) -> list[int]:
    """The original timesteps kept by a respacing string ("100", "fast27", "ddim25", "10,10,3", "")."""
    spec = spec.strip()
    if not spec:
        return list(range(num_timesteps))
    if spec.startswith("ddim"):
        return _ddim_steps(num_timesteps, _parse_count(spec[len("ddim") :], spec))
    if spec == "fast27":
        # The reference avoids the very noisiest step, where DDIM leaves artifacts.
        kept = set(space_timesteps(num_timesteps, "10,10,3,2,2"))
        kept.remove(num_timesteps - 1)
        kept.add(num_timesteps - 3)
        return sorted(kept)
    counts = [_parse_count(part, spec) for part in spec.split(",")]
    size_per, extra = divmod(num_timesteps, len(counts))
    kept, start = [], 0
    for i, count in enumerate(counts):
        size = size_per + (1 if i < extra else 0)
        kept += _section_steps(start, size, count)
        start += size
    return sorted(set(kept))


def _parse_count(text: str, spec: str) -> int:
    """One step count of a respacing string, with a clear error when it is not a number."""
    try:
        count = int(text)
    except ValueError:
        raise ValueError(
            f"bad respacing {spec!r}: expected a step count such as '100', 'ddim25', 'fast27' or '10,10,3'"
        ) from None
    if count < 0:
        raise ValueError(f"bad respacing {spec!r}: step counts cannot be negative")
    return count


@dataclass
class MeanVariance:
    """The model's reverse-step distribution p(x_{t-1} | x_t) and its x_0 prediction."""

    mean: torch.Tensor  # N, C, H, W
    variance: torch.Tensor  # N, C, H, W
    log_variance: torch.Tensor  # N, C, H, W
    pred_xstart: torch.Tensor  # N, C, H, W


class GaussianDiffusion:
    """A discrete Gaussian diffusion over the kept steps; index i is original step timestep_map[i]."""

    def __init__(self, betas: np.ndarray, timestep_map: Sequence[int] | None = None) -> None:
        betas = np.asarray(betas, dtype=np.float64)
        if betas.ndim != 1 or not np.all((betas > 0) & (betas <= 1)):
            raise ValueError("betas must be a 1-D array of values in (0, 1]")
        if len(betas) < 2:
            raise ValueError(f"a diffusion needs at least 2 steps, got {len(betas)}")
        self.num_timesteps = len(betas)
        kept = range(len(betas)) if timestep_map is None else timestep_map
        self.timestep_map = [int(t) for t in kept]
        if len(self.timestep_map) != self.num_timesteps:
            raise ValueError("timestep_map must have one original timestep per beta")
        self._set_constants(betas)

    def _set_constants(self, betas: np.ndarray) -> None:
        """Derive every float64 constant from the betas, in the reference's order of operations."""
        alphas = 1.0 - betas
        ac = np.cumprod(alphas, axis=0)
        ac_prev = np.append(1.0, ac[:-1])
        self.betas = betas
        self.log_betas = np.log(betas)
        self.alphas_cumprod = ac
        self.alphas_cumprod_prev = ac_prev
        self.alphas_cumprod_next = np.append(ac[1:], 0.0)
        self.sqrt_alphas_cumprod = np.sqrt(ac)
        self.sqrt_one_minus_alphas_cumprod = np.sqrt(1.0 - ac)
        self.log_one_minus_alphas_cumprod = np.log(1.0 - ac)
        self.sqrt_recip_alphas_cumprod = np.sqrt(1.0 / ac)
        self.sqrt_recipm1_alphas_cumprod = np.sqrt(1.0 / ac - 1)
        self.posterior_variance = betas * (1.0 - ac_prev) / (1.0 - ac)
        # The posterior variance is 0 at the first step, so its log borrows the second value.
        self.posterior_log_variance_clipped = np.log(
            np.append(self.posterior_variance[1], self.posterior_variance[1:])
        )
        self.posterior_mean_coef1 = betas * np.sqrt(ac_prev) / (1.0 - ac)
        self.posterior_mean_coef2 = (1.0 - ac_prev) * np.sqrt(alphas) / (1.0 - ac)

    # -- indexing ---------------------------------------------------------------------------

    @staticmethod
    def at(array: np.ndarray, t: torch.Tensor, ndim: int) -> torch.Tensor:
        """array[t] cast to float32 after indexing, shaped N, 1, ... to broadcast over ndim dims."""
        values = torch.from_numpy(array)[t.detach().cpu()].to(torch.float32)  # N
        return values.to(t.device).view(-1, *([1] * (ndim - 1)))

    def original_timesteps(self, t: torch.Tensor) -> torch.Tensor:
        """The original (0..999) int64 timesteps of respaced indices t, as the model expects them."""
        table = torch.tensor(self.timestep_map, dtype=torch.int64, device=t.device)
        return table[t]

    # -- forward process and x0/eps conversions ---------------------------------------------

    def q_sample(self, x_start: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Noise clean images to respaced index t: sqrt(ab)*x0 + sqrt(1-ab)*noise."""
        n = x_start.ndim
        return self.at(self.sqrt_alphas_cumprod, t, n) * x_start + (
            self.at(self.sqrt_one_minus_alphas_cumprod, t, n) * noise
        )

    def predict_xstart_from_eps(self, x_t: torch.Tensor, t: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """x0 implied by x_t and a noise prediction."""
        n = x_t.ndim
        return self.at(self.sqrt_recip_alphas_cumprod, t, n) * x_t - (
            self.at(self.sqrt_recipm1_alphas_cumprod, t, n) * eps
        )

    def predict_eps_from_xstart(self, x_t: torch.Tensor, t: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
        """Noise implied by x_t and an x0 prediction."""
        n = x_t.ndim
        recip = self.at(self.sqrt_recip_alphas_cumprod, t, n)
        return (recip * x_t - x0) / self.at(self.sqrt_recipm1_alphas_cumprod, t, n)

    def q_posterior_mean(self, x_start: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Mean of q(x_{t-1} | x_t, x_0)."""
        n = x_t.ndim
        coef1, coef2 = self.at(self.posterior_mean_coef1, t, n), self.at(self.posterior_mean_coef2, t, n)
        return coef1 * x_start + coef2 * x_t

    # -- the model's reverse step -----------------------------------------------------------

    def p_mean_variance(
        self,
        model_fn: ModelFn,
        x: torch.Tensor,
        t: torch.Tensor,
        clip_denoised: bool = True,
        denoised_fn: DenoisedFn | None = None,
    ) -> MeanVariance:
        """Run the model at respaced index t and turn (eps, v) into the reverse-step distribution."""
        channels = x.shape[1]
        output = model_fn(x, self.original_timesteps(t))  # N, 2C, H, W
        if output.shape != (x.shape[0], 2 * channels, *x.shape[2:]):
            raise ValueError(
                f"model returned shape {tuple(output.shape)}, expected eps and v for x of {tuple(x.shape)}"
            )
        eps, v = torch.split(output, channels, dim=1)  # N, C, H, W each
        min_log = self.at(self.posterior_log_variance_clipped, t, x.ndim)
        max_log = self.at(self.log_betas, t, x.ndim)
        # v in [-1, 1] interpolates between the two log variances; it is deliberately not clamped.
        frac = (v + 1) / 2
        log_variance = frac * max_log + (1 - frac) * min_log
        pred_xstart = self.predict_xstart_from_eps(x, t, eps)
        if denoised_fn is not None:
            pred_xstart = denoised_fn(pred_xstart)
        if clip_denoised:
            pred_xstart = pred_xstart.clamp(-1, 1)
        mean = self.q_posterior_mean(pred_xstart, x, t)
        return MeanVariance(mean, torch.exp(log_variance), log_variance, pred_xstart)

    def condition_mean(
        self, cond_fn: CondFn, out: MeanVariance, x: torch.Tensor, t: torch.Tensor
    ) -> torch.Tensor:
        """Shift the mean by variance * grad log p(y|x) (Dhariwal & Nichol 2021, classifier guidance)."""
        gradient = cond_fn(x, self.original_timesteps(t))
        return out.mean.float() + out.variance * gradient.float()

    def condition_score(
        self, cond_fn: CondFn, out: MeanVariance, x: torch.Tensor, t: torch.Tensor
    ) -> MeanVariance:
        """Guide the score: eps -= sqrt(1-ab)*grad, then x0 and the mean follow (no clamp)."""
        alpha_bar = self.at(self.alphas_cumprod, t, x.ndim)
        eps = self.predict_eps_from_xstart(x, t, out.pred_xstart)
        eps = eps - (1 - alpha_bar).sqrt() * cond_fn(x, self.original_timesteps(t))
        pred_xstart = self.predict_xstart_from_eps(x, t, eps)
        mean = self.q_posterior_mean(pred_xstart, x, t)
        return MeanVariance(mean, out.variance, out.log_variance, pred_xstart)

    @staticmethod
    def nonzero_mask(t: torch.Tensor, ndim: int) -> torch.Tensor:
        """1 for rows whose index is not the last step (t != 0), shaped N, 1, ..."""
        return (t != 0).float().view(-1, *([1] * (ndim - 1)))

    def ancestral_update(self, mean: torch.Tensor, log_variance: torch.Tensor, t: torch.Tensor,
                         noise: torch.Tensor) -> torch.Tensor:
        """x_{t-1} = mean + [t != 0] * exp(log_var / 2) * noise."""
        return mean + self.nonzero_mask(t, mean.ndim) * torch.exp(0.5 * log_variance) * noise

    def ddim_update(self, x: torch.Tensor, t: torch.Tensor, pred_xstart: torch.Tensor, eta: float,
                    noise: torch.Tensor) -> torch.Tensor:
        """DDIM step to the previous kept index, re-deriving eps from the (clamped) x0 prediction."""
        eps = self.predict_eps_from_xstart(x, t, pred_xstart)
        alpha_bar = self.at(self.alphas_cumprod, t, x.ndim)
        alpha_bar_prev = self.at(self.alphas_cumprod_prev, t, x.ndim)
        sigma = (
            eta
            * torch.sqrt((1 - alpha_bar_prev) / (1 - alpha_bar))
            * torch.sqrt(1 - alpha_bar / alpha_bar_prev)
        )
        mean_pred = pred_xstart * torch.sqrt(alpha_bar_prev) + torch.sqrt(1 - alpha_bar_prev - sigma**2) * eps
        return mean_pred + self.nonzero_mask(t, x.ndim) * sigma * noise


def respaced_betas(base_alphas_cumprod: np.ndarray, kept: Sequence[int]) -> np.ndarray:
    """Betas of the kept steps: 1 - ac[k] / ac[previous kept k], in float64."""
    kept_set = set(kept)
    betas, last = [], 1.0
    for i, alpha_cumprod in enumerate(base_alphas_cumprod):
        if i in kept_set:
            betas.append(1 - alpha_cumprod / last)
            last = alpha_cumprod
    return np.array(betas)


def respaced_diffusion(schedule_name: str, diffusion_steps: int, respacing: str) -> GaussianDiffusion:
    """A diffusion over the steps that `respacing` keeps from a `diffusion_steps`-step schedule."""
    base = GaussianDiffusion(beta_schedule(schedule_name, diffusion_steps))
    kept = space_timesteps(diffusion_steps, respacing)
    if len(kept) < 2 or kept[0] < 0 or kept[-1] >= diffusion_steps:
        raise ValueError(f"respacing {respacing!r} must keep at least 2 of the {diffusion_steps} steps")
    return GaussianDiffusion(respaced_betas(base.alphas_cumprod, kept), timestep_map=kept)
