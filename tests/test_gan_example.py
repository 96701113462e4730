"""examples/gan.py: the GAN really learns the ring, and its generator gradient is the true one.

The generator's gradient goes through the discriminator's input gradient,
dL_G/dθ_G = (∂L_G/∂x̂)·(∂x̂/∂θ_G) with ∂L_G/∂x̂ = ``disc.backward(..., input_grad=True)``; a
central finite difference of L_G in float64 checks that chain entry by entry.
"""

import numpy as np
import pytest
from scripts import load_script

import mlpkit as mk

gan = load_script("examples/gan.py")

#: Steps of the training test: about 2 s of training on an idle core (8/8 modes at seed 0).
STEPS = 1500
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One training run of the example, with its picture: (GanRun, the PNG's path)."""
    path = tmp_path_factory.mktemp("gan") / "gan.png"
    return gan.main(steps=STEPS, out=path), path


def test_the_generated_distribution_moves_to_the_real_one(trained):
    run, _ = trained
    assert run.end.mmd < 0.5 * run.start.mmd, (run.start, run.end)
    assert run.end.modes_covered >= 6, run.end
    assert run.end.high_quality > 0.5 > run.start.high_quality, (run.start, run.end)
    assert run.end.mean_distance < 0.5 * run.start.mean_distance, (run.start, run.end)
    assert run.mmd_floor < run.end.mmd  # the floor is what EVAL_SIZE real points score


def test_losses_are_finite_and_the_discriminator_is_not_saturated(trained):
    run, _ = trained
    assert run.d_losses.shape == run.g_losses.shape == (STEPS,)
    assert np.isfinite(run.d_losses).all() and np.isfinite(run.g_losses).all()
    # near the equilibrium D = 1/2 (L = ln 2), far from D's winning (L_D → 0, L_G → ∞)
    assert 0.3 < run.d_losses[-100:].mean() < 1.0
    assert 0.3 < run.g_losses[-100:].mean() < 1.5
    assert 0.2 < run.d_fake < run.d_real < 0.8, (run.d_real, run.d_fake)


def test_the_picture_is_written_when_asked(trained):
    run, path = trained
    assert run.out == path
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert path.stat().st_size > 20_000  # two panels with curves and 2,000 points, not a blank


def test_the_same_seed_gives_the_same_losses_and_no_file_without_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first, second = gan.main(steps=30), gan.main(steps=30)
    np.testing.assert_array_equal(first.d_losses, second.d_losses)
    np.testing.assert_array_equal(first.g_losses, second.g_losses)
    assert first.end == second.end and first.out is None
    other = gan.main(steps=30, seed=1)
    assert not np.array_equal(first.d_losses, other.d_losses)
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_writes_results_gan_png_and_prints_its_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    gan.cli(["--steps", "3"])
    expected = tmp_path / "results" / "gan.png"
    assert expected.read_bytes()[:8] == PNG_SIGNATURE
    assert [p.name for p in tmp_path.iterdir()] == ["results"]
    assert capsys.readouterr().out.rstrip().endswith(f"picture: {expected.resolve()}")


def float64_players(seed=0):
    """A generator and a discriminator in float64, and a noise batch z (16, NOISE_DIM)."""
    init_g, init_d, noise_rng = np.random.default_rng(seed).spawn(3)
    gen = gan.make_generator(init_g, dtype="float64")
    disc = gan.make_discriminator(init_d, dtype="float64")
    return gen, disc, gan.sample_noise(noise_rng, 16, dtype="float64")


def sampled_entries(net, per_parameter=2, seed=0):
    """Positions in ``net.params``: ``per_parameter`` of every W and b, each layer's."""
    rng = np.random.default_rng(seed)
    return [
        int(index)
        for slot in net.slots
        for index in rng.choice(np.arange(slot.offset, slot.stop), per_parameter, replace=False)
    ]


def test_the_generator_gradient_through_the_discriminator_matches_finite_differences():
    gen, disc, z = float64_players()
    gan.generator_gradients(gen, disc, z, mk.losses.BinaryCrossEntropy())
    analytic = gen.grads.copy()
    assert np.abs(analytic).max() > 1e-4  # a chain that dropped out would give zeros
    h = 1e-6
    for index in sampled_entries(gen):
        saved = gen.params[index]
        gen.params[index] = saved + h
        above = gan.generator_loss(gen, disc, z)
        gen.params[index] = saved - h
        below = gan.generator_loss(gen, disc, z)
        gen.params[index] = saved
        numeric = (above - below) / (2 * h)
        assert analytic[index] == pytest.approx(numeric, rel=1e-5, abs=1e-9), f"params[{index}]"


def test_the_generator_step_leaves_the_discriminator_unchanged():
    gen, disc, z = float64_players(seed=1)
    disc_before, gen_before = disc.params.copy(), gen.params.copy()
    gan.generator_gradients(gen, disc, z, mk.losses.BinaryCrossEntropy())
    mk.optim.Adam(learning_rate=1e-2, beta_1=0.5).step(gen.params, gen.grads)
    assert np.abs(disc.grads).max() > 0  # dL_G/dθ_D was computed on the way ...
    np.testing.assert_array_equal(disc.params, disc_before)  # ... and not applied
    assert not np.array_equal(gen.params, gen_before)
