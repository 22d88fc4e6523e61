r"""Image pairs: a correlated low-dimensional latent pair rendered injectively as images.

Latents: (U, V) jointly Gaussian in R^k x R^k, standard margins, U_i paired with V_i at
correlation rho, so :math:`I(U;V) = -\tfrac k2 \log(1-\rho^2)` (Cover & Thomas, ch. 8).
Each latent is drawn as one S x S image (S = 16 or 32) of a Gaussian blob

.. math:: \mathrm{img}_{ab} = \exp\Big(-\frac{(a - p_1)^2 + (b - p_2)^2}{2 w^2}\Big),
          \qquad a, b = 0, \dots, S-1,

with centre :math:`p_j = c + s\,\sigma(u_j)`, :math:`\sigma(t) = t / \sqrt{1 + t^2}`,
c = (S-1)/2, s = S/4 (so the centre stays at least S/4 - 1/2 pixels inside the frame), and
width :math:`w = w_0 e^{u_3/4}`, w_0 = S/16 (k = 3), or w = w_0 (k = 2). Images are returned
flattened row-major, float64 arrays of shape (n, S*S); :func:`as_images` reshapes them.

Injectivity (so that I(img(U); img(V)) = I(U; V): MI is invariant under injective measurable
maps with a measurable inverse on their image). Every pixel is positive, and at the brightest
pixel (a, b) (whose neighbours lie inside the frame, since |p_j - c| < S/4) the log
intensities give, exactly,

.. math:: L_{a+1,b} + L_{a-1,b} - 2L_{ab} = -1/w^2, \qquad
          L_{a+1,b} - L_{a-1,b} = 2 (p_1 - a) / w^2,

and likewise along b for p_2. So w and p are functions of the image, and u follows from the
bijections :math:`\sigma^{-1}(t) = t/\sqrt{1-t^2}` and :math:`u_3 = 4 \log(w / w_0)`:
:func:`latent_from_image` is this explicit inverse (it recovers u to about 1e-12 in float64;
the tests require 1e-8). The pointwise MI of two images is the latent pair's PMI at the
recovered latents: the push-forward densities differ from the latent ones by the same
factor in the joint and in the marginal, which cancels.
"""

from __future__ import annotations

import math

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks._common import fmt
from revinfo.tasks.base import Task
from revinfo.tasks.gaussian import GaussianPair
from revinfo.tasks.registry import register

SIZES = (16, 32)
# (size, k, rho)
GRID = ((16, 2, 0.8), (16, 3, 0.8), (32, 2, 0.5), (32, 3, 0.8), (32, 3, 0.95))
WIDTH_RATE = 0.25
TAGS = ("image", "high-dim", "closed-form", "log-ratio")


def name(size: int, k: int, rho: float) -> str:
    return f"image-blob{size}-k{k}-rho{fmt(rho)}"


def _geometry(size: int) -> tuple[float, float, float]:
    """(centre c, span s, base width w_0) of an S x S frame."""
    return (size - 1) / 2.0, size / 4.0, size / 16.0


def render(latent: np.ndarray, size: int) -> np.ndarray:
    """Blob images of latents (n, k), k = 2 (position) or 3 (position, width): (n, S*S)."""
    u = np.asarray(latent, dtype=np.float64)
    if u.ndim != 2 or u.shape[1] not in (2, 3):
        raise ValueError(f"latent must have shape (n, 2) or (n, 3), got {u.shape}")
    c, s, w0 = _geometry(size)
    pos = c + s * u[:, :2] / np.sqrt(1.0 + u[:, :2] ** 2)
    w = w0 * np.exp(WIDTH_RATE * u[:, 2]) if u.shape[1] == 3 else np.full(len(u), w0)
    grid = np.arange(size, dtype=np.float64)
    inv = -0.5 / (w * w)
    ga = np.exp((grid - pos[:, :1]) ** 2 * inv[:, None])  # (n, S) along rows a
    gb = np.exp((grid - pos[:, 1:2]) ** 2 * inv[:, None])  # (n, S) along columns b
    return (ga[:, :, None] * gb[:, None, :]).reshape(len(u), size * size)


def as_images(flat: np.ndarray, size: int) -> np.ndarray:
    """(n, S*S) rows as (n, S, S) images."""
    return np.asarray(flat).reshape(-1, size, size)


def latent_from_image(flat: np.ndarray, size: int, k: int) -> np.ndarray:
    """The explicit inverse of :func:`render` (module docstring): images (..., S*S) ->
    latents (..., k)."""
    img = np.asarray(flat, dtype=np.float64)
    if img.shape[-1] != size * size:
        raise ValueError(f"images must have {size * size} columns, got shape {img.shape}")
    lead = img.shape[:-1]
    im = img.reshape(-1, size, size)
    peak = im.reshape(len(im), -1).argmax(1)
    a, b = np.divmod(peak, size)
    if np.any((a < 1) | (a > size - 2) | (b < 1) | (b > size - 2)):
        raise ValueError("not a rendered blob image: the brightest pixel is on the border")
    rows = np.arange(len(im))
    patch = np.stack([im[rows, a + da, b + db] for da, db in
                      ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))], 1)
    if not np.all(patch > 0):
        raise ValueError("not a rendered blob image: a pixel next to the peak is not positive")
    lg = np.log(patch)
    curv_a = lg[:, 1] + lg[:, 2] - 2 * lg[:, 0]  # -1 / w^2
    curv_b = lg[:, 3] + lg[:, 4] - 2 * lg[:, 0]
    w2 = -2.0 / (curv_a + curv_b)
    pa = a + 0.5 * (lg[:, 1] - lg[:, 2]) * w2
    pb = b + 0.5 * (lg[:, 3] - lg[:, 4]) * w2
    c, s, w0 = _geometry(size)
    t = (np.stack([pa, pb], 1) - c) / s
    u = [t / np.sqrt(1.0 - t * t)]
    if k == 3:
        u.append((0.5 * np.log(w2 / w0**2) / WIDTH_RATE)[:, None])
    return np.concatenate(u, 1).reshape(*lead, k)


def latent_pair(k: int, rho: float) -> GaussianPair:
    eye = np.eye(k)
    return GaussianPair(np.block([[eye, rho * eye], [rho * eye, eye]]), k)


def image_task(size: int, k: int, rho: float) -> Task:
    """The image pair (module docstring): S = ``size``, latent dimension k, correlation rho."""
    pair = latent_pair(k, rho)

    def sampler(n: int, rng: np.random.Generator):
        u, v = pair.sample(n, rng)
        return render(u, size), render(v, size)

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return pair.log_ratio(latent_from_image(x, size, k), latent_from_image(y, size, k))

    what = "position" if k == 2 else "position and width"
    value = -0.5 * k * math.log1p(-rho * rho)
    return Task(
        name=name(size, k, rho),
        description=f"{size}x{size} Gaussian-blob images whose {what} are a {k}-D latent, "
                    f"latent pairs correlated {fmt(rho)}",
        dims=(size * size, size * size), sampler=sampler,
        truth_fn=lambda: Estimate(value, None, "closed-form gaussian latents (injective "
                                                "rendering)"),
        tags=(*TAGS, f"{size}x{size}"), log_ratio=log_ratio, cheap_truth=True,
    )


for _s, _k, _r in GRID:
    register(name(_s, _k, _r), lambda s=_s, k=_k, r=_r: image_task(s, k, r),
             (*TAGS, f"{_s}x{_s}"))
