"""Optimizer updates written out by hand (the PyTorch oracle covers 25-step runs)."""

import numpy as np
import pytest

import mlpkit as mk


def run(optimizer, grads, params=None):
    params = np.array([1.0, -2.0, 0.5]) if params is None else params
    for g in grads:
        optimizer.step(params, np.asarray(g, dtype=float))
    return params


GRADS = [[0.1, -0.2, 0.3], [0.4, 0.0, -0.1], [-0.3, 0.2, 0.2]]


def test_adam_moments_are_the_textbook_bias_corrected_averages():
    opt = mk.optim.Adam(learning_rate=0.1, beta_1=0.8, beta_2=0.9)
    params = run(opt, GRADS)
    g = np.array(GRADS)
    m = v = np.zeros(3)
    theta = np.array([1.0, -2.0, 0.5])
    for t, gt in enumerate(g, start=1):
        m = 0.8 * m + 0.2 * gt
        v = 0.9 * v + 0.1 * gt**2
        m_hat, v_hat = m / (1 - 0.8**t), v / (1 - 0.9**t)
        theta = theta - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(opt.moments()[0], m_hat, rtol=1e-12)
    np.testing.assert_allclose(opt.moments()[1], v_hat, rtol=1e-12)
    np.testing.assert_allclose(params, theta, rtol=1e-12)


def test_sgd_with_nesterov_momentum_follows_the_documented_rule():
    params = run(mk.optim.SGD(learning_rate=0.5, momentum=0.9, nesterov=True), GRADS)
    theta, b = np.array([1.0, -2.0, 0.5]), np.zeros(3)
    for g in np.array(GRADS):
        b = 0.9 * b + g
        theta = theta - 0.5 * (g + 0.9 * b)
    np.testing.assert_allclose(params, theta, rtol=1e-12)


def test_learning_rate_may_be_a_schedule_of_the_step():
    seen = []

    def schedule(step):
        seen.append(step)
        return 0.1 / (1 + step)

    params = run(mk.optim.SGD(learning_rate=schedule), GRADS)
    assert seen == [0, 1, 2]
    expected = np.array([1.0, -2.0, 0.5]) - sum(
        0.1 / (1 + t) * np.array(g) for t, g in enumerate(GRADS)
    )
    np.testing.assert_allclose(params, expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw"])
def test_optimizer_resolves_by_name_and_its_config_round_trips(name):
    optimizer = mk.optim.get(name)
    again = mk.optim.get(optimizer.get_config())
    assert type(again) is type(optimizer) and again.get_config() == optimizer.get_config()


def test_optimizer_state_lives_in_flat_arrays_updated_in_place():
    params = np.zeros(100_000, dtype=np.float32)
    opt = mk.optim.Adam()
    opt.step(params, np.ones_like(params))
    state = {name: array for name, array in opt.state.items()}
    opt.step(params, np.ones_like(params))
    assert all(opt.state[name] is array for name, array in state.items())
    assert all(array.shape == params.shape for array in state.values())
