r"""A generative adversarial network (GAN) on a ring of 8 Gaussians, from two ``mk.Sequential``.

    python examples/gan.py [--steps 3000] [--seed 0] [--out results/gan.png]

It prints the quality before and after training and the path of the picture it wrote
(``results/gan.png`` under the working directory unless ``--out`` says otherwise; the folder is
made if needed and the file rewritten on each run): the two loss curves, and the real points
beside the generated ones.

**The game** (Goodfellow et al., 2014, "Generative Adversarial Nets"). A generator G maps noise
z ~ N(0, I) (n, NOISE_DIM) to points x̂ = G(z) (n, 2); a discriminator D maps a point x (n, 2)
to a logit s(x) (n, 1) and the probability D(x) = σ(s(x)) that x is real. Each step:

1. **Discriminator step**, on a batch of n real points (label 1) and n generated ones (label 0)
   stacked into one batch of 2n rows, by binary cross-entropy from the logits:

       L_D = −(1/2n) [Σᵢ ln D(xᵢ) + Σⱼ ln(1 − D(G(zⱼ)))],   dL_D/ds = (σ(s) − y) / 2n,

   half the sum of the two means in the paper; at the game's equilibrium D = ½ and L_D = ln 2.
   Only D's parameters θ_D are updated (G's output is a plain array here).

2. **Generator step**, the *non-saturating* loss (the paper's fix for the weak gradient of
   ln(1 − D(G(z))) while D easily rejects fakes): maximise ln D(G(z)), i.e. minimise

       L_G = −(1/n) Σⱼ ln D(G(zⱼ)) = BCE(s(x̂), 1),   ∂L_G/∂s = (σ(s) − 1) / n.

   Its gradient reaches θ_G through the discriminator by the chain rule:

       dL_G/dθ_G = (∂L_G/∂x̂) · (∂x̂/∂θ_G),   ∂L_G/∂x̂ = (∂L_G/∂s) · (∂s/∂x̂)   (n, 2),

   where ∂L_G/∂x̂ is the discriminator's *input gradient*,
   ``disc.backward(dL_G/ds, logits=True, input_grad=True)``, and ``gen.backward(∂L_G/∂x̂)``
   applies ∂x̂/∂θ_G (the generator's own backpropagation) to fill ``gen.grads``. That backward
   pass through D also overwrites ``disc.grads`` (with dL_G/dθ_D): they are scratch, never
   handed to D's optimizer, and the next discriminator step overwrites them again.

Both players use Adam with β₁ = 0.5 (Radford et al., 2016, DCGAN), as is usual for GANs, at a
learning rate of 2·10⁻³ and batches of BATCH_SIZE real and BATCH_SIZE generated points.

**Quality.** On a fixed noise batch and a fixed real sample (EVAL_SIZE points each):

- the maximum mean discrepancy with an RBF kernel k(a, b) = exp(−‖a − b‖² / 2h²), averaged
  over the bandwidths h in MMD_BANDWIDTHS (Gretton et al., 2012), biased estimate:
  MMD² = mean k(x, x') + mean k(x̂, x̂') − 2 mean k(x, x̂), reported as MMD = √MMD²;
- the share of generated points within 3σ of their nearest mode ("high quality"), and the
  modes covered: those that at least COVERAGE_SHARE of the generated points sit near.

Everything is seeded: one ``seed`` spawns the two networks' initial weights, the data
stream and the noise stream, and mlpkit's kernels are pinned to NumPy, so the same seed
and steps give bit-identical losses.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

import mlpkit as mk
from mlpkit import kernels

N_MODES = 8
#: Radius of the ring the modes sit on, and the standard deviation σ of each mode.
RADIUS, MODE_STD = 2.0, 0.1
NOISE_DIM = 4
HIDDEN_UNITS = 32
BATCH_SIZE = 128
LEARNING_RATE = 2e-3
BETA_1 = 0.5
EVAL_SIZE = 1000
MMD_BANDWIDTHS = (0.1, 0.3, 1.0)
#: A mode counts as covered when at least this share of the generated points is within 3σ of it
#: (a uniform spread over 8 modes puts 1/8 = 12.5 % on each).
COVERAGE_SHARE = 0.02
DEFAULT_OUT = Path("results") / "gan.png"


class Quality(NamedTuple):
    """How close the generated points are to the real distribution (see the module docstring).

    Attributes:
        mmd: √MMD² between generated and real points (0 when the distributions are equal).
        high_quality: share of generated points within 3σ of their nearest mode.
        modes_covered: modes with at least ``COVERAGE_SHARE`` of the generated points near them.
        mean_distance: mean distance from a generated point to its nearest mode centre.
    """

    mmd: float
    high_quality: float
    modes_covered: int
    mean_distance: float


class GanRun(NamedTuple):
    """What :func:`main` measured.

    Attributes:
        d_losses, g_losses: L_D and L_G of every step, shape (steps,).
        start, end: the :class:`Quality` before the first step and after the last.
        mmd_floor: the MMD of a second real sample against the real evaluation points: what
            a perfect generator would score with EVAL_SIZE points.
        d_real, d_fake: mean D(x) on the real evaluation points and mean D(G(z)) on the
            generated ones after the last step (both ½ at the game's equilibrium).
        seconds: wall time of the training loop.
        out: the PNG written, or None.
    """

    d_losses: np.ndarray
    g_losses: np.ndarray
    start: Quality
    end: Quality
    mmd_floor: float
    d_real: float
    d_fake: float
    seconds: float
    out: Path | None


# -- data ------------------------------------------------------------------------------------------
def ring_modes(n_modes: int = N_MODES, radius: float = RADIUS) -> np.ndarray:
    """The mode centres, evenly spaced on a circle: shape (n_modes, 2)."""
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def sample_ring(rng: np.random.Generator, n: int, dtype="float32") -> np.ndarray:
    """n real points: a mode picked uniformly, plus N(0, σ²I) noise; shape (n, 2)."""
    modes = ring_modes()
    points = modes[rng.integers(N_MODES, size=n)] + MODE_STD * rng.standard_normal((n, 2))
    return points.astype(dtype)


def sample_noise(rng: np.random.Generator, n: int, dtype="float32") -> np.ndarray:
    """The generator's input z ~ N(0, I): shape (n, NOISE_DIM)."""
    return rng.standard_normal((n, NOISE_DIM)).astype(dtype)


# -- the two players -------------------------------------------------------------------------------
def make_generator(random_state, dtype="float32") -> mk.Sequential:
    """G: z (n, NOISE_DIM) → Dense(32, relu) → Dense(32, relu) → Dense(2) → x̂ (n, 2)."""
    layers = [
        mk.layers.Dense(HIDDEN_UNITS, activation="relu"),
        mk.layers.Dense(HIDDEN_UNITS, activation="relu"),
        mk.layers.Dense(2),
    ]
    return mk.Sequential(layers, random_state=random_state, dtype=dtype).build(NOISE_DIM)


def make_discriminator(random_state, dtype="float32") -> mk.Sequential:
    """D: x (n, 2) → Dense(32, leaky_relu 0.2) ×2 → Dense(1, sigmoid) → D(x) (n, 1).

    Trained from its logits s (``logits=True`` skips the sigmoid), as the loss expects.
    """
    leaky = {"name": "leaky_relu", "negative_slope": 0.2}
    layers = [
        mk.layers.Dense(HIDDEN_UNITS, activation=leaky),
        mk.layers.Dense(HIDDEN_UNITS, activation=leaky),
        mk.layers.Dense(1, activation="sigmoid"),
    ]
    return mk.Sequential(layers, random_state=random_state, dtype=dtype).build(2)


# -- the two gradients -----------------------------------------------------------------------------
def discriminator_gradients(
    disc: mk.Sequential, x_real: np.ndarray, x_fake: np.ndarray, loss: mk.losses.Loss
) -> float:
    """Fill ``disc.grads`` with dL_D/dθ_D and return L_D.

    Args:
        disc: the discriminator.
        x_real: real points (n, 2), label 1.
        x_fake: generated points (n, 2), label 0 (an array: no gradient reaches G).
        loss: binary cross-entropy from logits.
    """
    x = np.concatenate([x_real, x_fake])
    labels = np.zeros((x.shape[0], 1), dtype=x.dtype)
    labels[: x_real.shape[0]] = 1
    logits = disc.forward(x, training=True, logits=True)
    value, dlogits = loss.value_and_grad(logits, labels)
    disc.backward(dlogits, logits=True)
    return value


def generator_gradients(
    gen: mk.Sequential, disc: mk.Sequential, z: np.ndarray, loss: mk.losses.Loss
) -> float:
    """Fill ``gen.grads`` with dL_G/dθ_G = (∂L_G/∂x̂)·(∂x̂/∂θ_G) and return L_G = BCE(s(G(z)), 1).

    ``disc.grads`` is overwritten on the way (dL_G/dθ_D) and must not be applied to D.

    Args:
        gen: the generator.
        disc: the discriminator, whose input gradient ∂L_G/∂x̂ (n, 2) is G's dL/dŷ.
        z: noise (n, NOISE_DIM).
        loss: binary cross-entropy from logits.
    """
    x_fake = gen.forward(z, training=True)
    logits = disc.forward(x_fake, training=True, logits=True)
    value, dlogits = loss.value_and_grad(logits, np.ones_like(logits))
    dx_fake = disc.backward(dlogits, logits=True, input_grad=True)
    gen.backward(dx_fake)
    return value


def generator_loss(gen: mk.Sequential, disc: mk.Sequential, z: np.ndarray) -> float:
    """L_G alone, nothing cached (what a finite-difference check perturbs)."""
    logits = disc.forward(gen.forward(z), logits=True)
    return mk.losses.BinaryCrossEntropy().value(logits, np.ones_like(logits))


# -- quality ---------------------------------------------------------------------------------------
def rbf_mmd(x: np.ndarray, y: np.ndarray, bandwidths=MMD_BANDWIDTHS) -> float:
    """√MMD² of the samples x (n, d) and y (m, d), RBF kernel averaged over ``bandwidths``."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)

    def mean_kernel(a, b):
        squared = np.sum(a * a, 1)[:, None] + np.sum(b * b, 1)[None, :] - 2 * a @ b.T
        return np.mean([np.exp(-squared / (2 * h * h)).mean() for h in bandwidths])

    mmd2 = mean_kernel(x, x) + mean_kernel(y, y) - 2 * mean_kernel(x, y)
    return float(np.sqrt(max(mmd2, 0.0)))


def measure(x_fake: np.ndarray, x_real: np.ndarray) -> Quality:
    """The :class:`Quality` of generated points x_fake (n, 2) against real points (m, 2)."""
    distances = np.linalg.norm(x_fake[:, None, :] - ring_modes()[None, :, :], axis=2)  # (n, 8)
    nearest, distance = distances.argmin(axis=1), distances.min(axis=1)
    close = distance < 3 * MODE_STD
    per_mode = np.bincount(nearest[close], minlength=N_MODES) / len(x_fake)
    return Quality(
        mmd=rbf_mmd(x_fake, x_real),
        high_quality=float(close.mean()),
        modes_covered=int(np.sum(per_mode >= COVERAGE_SHARE)),
        mean_distance=float(distance.mean()),
    )


# -- training --------------------------------------------------------------------------------------
def train(
    gen: mk.Sequential,
    disc: mk.Sequential,
    steps: int,
    data_rng: np.random.Generator,
    noise_rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Play ``steps`` rounds: one D update, then one G update; return L_D and L_G, (steps,) each."""
    gen_opt = mk.optim.Adam(learning_rate=LEARNING_RATE, beta_1=BETA_1)
    disc_opt = mk.optim.Adam(learning_rate=LEARNING_RATE, beta_1=BETA_1)
    loss = mk.losses.BinaryCrossEntropy()
    d_losses, g_losses = np.empty(steps), np.empty(steps)
    for step in range(steps):
        x_real = sample_ring(data_rng, BATCH_SIZE, gen.dtype)
        x_fake = gen.forward(sample_noise(noise_rng, BATCH_SIZE, gen.dtype))
        d_losses[step] = discriminator_gradients(disc, x_real, x_fake, loss)
        disc_opt.step(disc.params, disc.grads)
        z = sample_noise(noise_rng, BATCH_SIZE, gen.dtype)
        g_losses[step] = generator_gradients(gen, disc, z, loss)
        gen_opt.step(gen.params, gen.grads)  # disc.grads (dL_G/dθ_D) are left unused
    return d_losses, g_losses


def main(steps: int = 3000, out=None, *, seed: int = 0) -> GanRun:
    """Train the GAN for ``steps`` steps and measure it before and after.

    Args:
        steps: the number of steps (one D update and one G update each).
        out: a ``.png`` path for the picture (its folder must exist), or None for none.
        seed: the one seed of the weights, the data and the noise.

    Returns:
        The per-step losses, the quality at the start and at the end, and D's mean outputs.
    """
    init_g, init_d, data_rng, noise_rng, eval_rng = np.random.default_rng(seed).spawn(5)
    # mlpkit's "auto" kernels move to numba after some seconds of wall time: pinning them
    # keeps the numbers independent of the machine's speed
    with kernels.using("numpy"):
        gen, disc = make_generator(init_g), make_discriminator(init_d)
        eval_real, eval_noise = sample_ring(eval_rng, EVAL_SIZE), sample_noise(eval_rng, EVAL_SIZE)
        start = measure(gen.forward(eval_noise), eval_real)
        began = time.perf_counter()
        d_losses, g_losses = train(gen, disc, steps, data_rng, noise_rng)
        seconds = time.perf_counter() - began
        generated = gen.forward(eval_noise)
        run = GanRun(
            d_losses=d_losses,
            g_losses=g_losses,
            start=start,
            end=measure(generated, eval_real),
            mmd_floor=rbf_mmd(sample_ring(eval_rng, EVAL_SIZE), eval_real),
            d_real=float(disc.forward(eval_real).mean()),
            d_fake=float(disc.forward(generated).mean()),
            seconds=seconds,
            out=None if out is None else Path(out),
        )
    if out is not None:
        draw(run, eval_real, generated, out)
    return run


def draw(run: GanRun, x_real: np.ndarray, x_fake: np.ndarray, path) -> None:
    """Write a PNG: the loss curves (left), real and generated points (right)."""
    from matplotlib.figure import Figure  # only the picture needs matplotlib

    from mlpkit import plots

    figure = Figure(figsize=(11, 4.4), layout="constrained")
    curves, points = figure.subplots(1, 2)
    steps = np.arange(1, len(run.d_losses) + 1)
    curves.plot(steps, run.d_losses, lw=0.8, label="discriminator $L_D$")
    curves.plot(steps, run.g_losses, lw=0.8, label="generator $L_G$")
    curves.axhline(np.log(2), color="grey", ls="--", lw=0.8, label="ln 2 (equilibrium)")
    curves.set(xlabel="step", ylabel="binary cross-entropy", title="Losses")
    curves.legend()
    points.scatter(*x_real.T, s=4, alpha=0.4, label="real")
    points.scatter(*x_fake.T, s=4, alpha=0.4, label="generated")
    points.set(
        aspect="equal",
        title=f"MMD {run.start.mmd:.3f} → {run.end.mmd:.3f}, "
        f"{run.end.modes_covered}/{N_MODES} modes covered",
    )
    points.legend(markerscale=3)
    figure.suptitle(f"GAN on a ring of {N_MODES} Gaussians, {len(steps)} steps")
    plots.save(figure, path, overwrite=True)  # PNG through matplotlib's Agg canvas; rerun: replaced


def report(run: GanRun) -> str:
    """The measured numbers, one line each."""
    lines = []
    for name, quality in (("start", run.start), ("end", run.end)):
        lines.append(
            f"{name:5s}: MMD {quality.mmd:.4f}, {quality.high_quality:.1%} of points within 3σ "
            f"of a mode, {quality.modes_covered}/{N_MODES} modes covered, mean distance to the "
            f"nearest mode {quality.mean_distance:.3f}"
        )
    lines.append(
        f"{len(run.d_losses)} steps in {run.seconds:.1f} s; last 100 steps: L_D "
        f"{run.d_losses[-100:].mean():.3f}, L_G {run.g_losses[-100:].mean():.3f} (ln 2 = 0.693); "
        f"D(real) {run.d_real:.3f}, D(fake) {run.d_fake:.3f}; MMD of a second real sample "
        f"{run.mmd_floor:.4f}"
    )
    return "\n".join(lines)


def cli(argv=None) -> GanRun:
    """The command line: train, print the numbers and the path of the picture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="the PNG to write (replaced on each run)"
    )
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    run = main(args.steps, args.out, seed=args.seed)
    print(report(run))
    print(f"picture: {args.out.resolve()}")
    return run


if __name__ == "__main__":
    cli()
