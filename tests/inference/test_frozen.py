"""mk.freeze: a snapshot of a model whose Dense kernels are packed once for the register-tile
GEMM (mlpkit.kernels.gemm), against np.matmul and the ordinary inference path, its reference."""

import warnings

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.kernels import gemm

L = mk.layers
pytestmark = pytest.mark.skipif(not gemm.supported(), reason="the CPU has no AVX2/FMA vectors")


def reference(h, W, b, relu):
    z = h.astype(np.float64) @ W + (0 if b is None else b)
    return np.where(z <= 0, 0, z) if relu else z


def bound(h, W, b=None):
    """float32 rounding of b + a sum of K products: (K + 1) · ε · (Σ|h||W| + |b|), with room."""
    magnitude = np.abs(h) @ np.abs(W) + (0 if b is None else np.abs(b))
    return 4 * (W.shape[0] + 1) * np.finfo(np.float32).eps * magnitude


@pytest.mark.parametrize("rows", [1, 2, 5, 6, 7, 8, 9, 13, 64, 100])
@pytest.mark.parametrize("depth, units", [(1, 1), (5, 2), (33, 15), (33, 16), (40, 17), (96, 33)])
@pytest.mark.parametrize("relu", [False, True])
def test_the_packed_product_matches_matmul(rows, depth, units, relu):
    rng = np.random.default_rng(rows * 1000 + depth + units)
    h = rng.normal(size=(rows, depth)).astype(np.float32)
    W = rng.normal(size=(depth, units)).astype(np.float32)
    b = rng.normal(size=units).astype(np.float32)
    layers = gemm.PackedLayers([(W, b, relu)])
    z = np.full((rows, units), np.nan, np.float32)
    assert layers.forward(h, np.full(layers.scratch_shape(rows), np.nan, np.float32), z)
    assert np.all(np.abs(z - reference(h, W, b, relu)) <= bound(h, W, b))


def test_a_deep_kernel_and_rows_of_any_stride():
    """K = 1200, N = 300 (19 panels, the last padded); h a view with row stride 1300."""
    rng = np.random.default_rng(0)
    wide = rng.normal(size=(70, 1300)).astype(np.float32)
    h = wide[:, :1200]
    W = rng.normal(size=(1200, 300)).astype(np.float32)
    layers = gemm.PackedLayers([(W, None, False)])
    z = np.empty((70, 300), np.float32)
    assert layers.forward(h, np.empty(layers.scratch_shape(70), np.float32), z)
    assert np.all(np.abs(z - reference(h, W, None, False)) <= bound(h, W))


def test_a_stack_of_layers_is_the_chain_of_its_products():
    rng = np.random.default_rng(1)
    shapes = [(31, 50), (50, 20), (20, 3)]
    parts = [(rng.normal(size=s).astype(np.float32), rng.normal(size=s[1]).astype(np.float32))
             for s in shapes]  # fmt: skip
    layers = gemm.PackedLayers([(W, b, i < 2) for i, (W, b) in enumerate(parts)])
    x = rng.normal(size=(11, 31)).astype(np.float32)
    expected = x.astype(np.float64)
    for i, (W, b) in enumerate(parts):
        expected = reference(expected, W, b, i < 2)
    got = np.empty((11, 3), np.float32)
    assert layers.forward(x, np.empty(layers.scratch_shape(11), np.float32), got)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_relu_passes_nan_as_the_reference_does():
    h = np.ones((3, 4), np.float32)
    h[1, 2] = np.nan
    W = np.ones((4, 5), np.float32)
    z = np.empty((3, 5), np.float32)
    assert not gemm.PackedLayers([(W, None, True)]).forward(h, np.empty((2, 48), np.float32), z)
    assert np.isnan(z[1]).all() and np.isfinite(z[[0, 2]]).all()


def network(hidden, output, units=10, n_features=12, dtype="float32", extra=()):
    layers = [L.Dense(24, activation=name) for name in hidden] + list(extra)
    net = mk.Sequential(layers + [L.Dense(units, activation=output)], random_state=0, dtype=dtype)
    net.build(n_features)
    net.params[...] += np.random.default_rng(3).normal(0, 0.2, net.params.size)
    return net


ROWS = [1, 3, 8, 64, 4097]


@pytest.mark.parametrize(
    "hidden, output",
    [(["relu", "relu"], "softmax"), (["relu"], "sigmoid"), (["linear"], "linear"),
     (["tanh", "relu"], "softmax"), (["sigmoid"], "relu")],
)  # fmt: skip
def test_a_frozen_network_predicts_what_the_network_predicted(hidden, output):
    net = network(hidden, output)
    frozen = mk.freeze(net)
    assert frozen.packed
    for rows in ROWS:
        X = np.random.default_rng(rows).normal(size=(rows, 12)).astype(np.float32)
        np.testing.assert_allclose(frozen.predict(X), net.predict(X), rtol=1e-5, atol=1e-6)


def test_other_layers_keep_their_steps_between_packed_ones():
    extra = [L.BatchNorm(), L.Dropout(0.3), L.Residual([L.Dense(24, activation="relu")])]
    net = network(["relu"], "softmax", extra=extra)
    X = np.random.default_rng(0).normal(size=(50, 12)).astype(np.float32)
    net.fit(X, np.eye(10)[np.arange(50) % 10], loss="categorical_cross_entropy", epochs=2,
            verbose=0)  # fmt: skip
    frozen = mk.freeze(net)
    for rows in (1, 9, 50):
        np.testing.assert_allclose(frozen.predict(X[:rows]), net.predict(X[:rows]), rtol=1e-5,
                                   atol=1e-6)  # fmt: skip


def test_the_copy_is_a_snapshot_a_later_change_does_not_reach():
    net = network(["relu"], "softmax")
    X = np.random.default_rng(0).normal(size=(20, 12)).astype(np.float32)
    before = net.predict(X)
    frozen = mk.freeze(net)
    net.params[...] = 0
    np.testing.assert_allclose(frozen.predict(X), before, rtol=1e-5, atol=1e-6)
    with pytest.raises(AttributeError, match="prediction methods.*freeze again"):
        frozen.fit  # noqa: B018


def test_float64_and_the_numpy_backend_keep_the_inference_path():
    X = np.random.default_rng(0).normal(size=(9, 12))
    net = network(["relu"], "softmax", dtype="float64")
    frozen = mk.freeze(net)
    np.testing.assert_allclose(frozen.predict(X), net.predict(X), rtol=1e-12)
    with mk.kernels.using("numpy"):
        plain = mk.freeze(network(["relu"], "softmax"))
    assert not plain.packed and "inference path" in repr(plain)


def test_a_frozen_estimator_predicts_its_labels_and_checks_its_columns():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=list("abcd"))
    y = np.where(X["a"] + X["b"] > 0, "yes", "no")
    clf = mk.MLPClassifier(hidden_layer_sizes=(16,), max_iter=30, random_state=0).fit(X, y)
    frozen = mk.freeze(clf)
    assert list(frozen.classes_) == ["no", "yes"]
    np.testing.assert_array_equal(frozen.predict(X), clf.predict(X))
    np.testing.assert_allclose(frozen.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    with pytest.raises(ValueError) as frozen_error:
        frozen.predict(X[list("bacd")])
    with pytest.raises(ValueError) as own_error:
        clf.predict(X[list("bacd")])
    assert str(frozen_error.value) == str(own_error.value)


def test_freeze_names_what_it_takes():
    with pytest.raises(TypeError, match="mk.freeze expected a network.*got model=list"):
        mk.freeze([1, 2])


def test_a_call_shared_over_threads_gives_the_same_bits(monkeypatch):
    """Each entry is one chain of multiply-adds over k in order, whatever the tasks."""
    from mlpkit import packed

    monkeypatch.setattr(packed, "SPLIT_MACS", 1 << 16)  # share this modest call
    net = network(["relu", "relu"], "softmax", n_features=200)
    one, four = mk.freeze(net, threads=1), mk.freeze(net, threads=4)
    for rows in (3000, 40, 5):  # tasks of rows, of panels, of a single task
        X = np.random.default_rng(rows).normal(size=(rows, 200)).astype(np.float32)
        np.testing.assert_array_equal(four.predict(X), one.predict(X))
        np.testing.assert_allclose(four.predict(X), net.predict(X), rtol=1e-5, atol=1e-6)
    workers = four._model.predictor._workers  # noqa: SLF001
    assert [thread.is_alive() for thread in workers.threads] == [True] * 3


def shared_cases():
    """(layers, x) of a stack whose layers are cut many ways: 3 to 70 panels, 1 to 300 rows."""
    rng = np.random.default_rng(8)
    widths = [37, 1100, 48, 3, 16]
    layers = [
        (rng.normal(size=(k, n)).astype(np.float32), rng.normal(size=n).astype(np.float32), relu)
        for k, n, relu in zip(widths, widths[1:], (True, False, True, False))
    ]
    for rows in (1, 7, 64, 300):
        yield (
            gemm.PackedLayers(layers, output="softmax"),
            rng.normal(size=(rows, 37)).astype(np.float32),
        )


@pytest.mark.parametrize("who", ["helper first", "helper never", "helper thread"])
def test_shared_tasks_give_the_bits_of_one_thread_whoever_takes_them(monkeypatch, who):
    """Whether the helper does every task, none (it never began) or some, the call is done
    when it returns, bit for bit the one-thread call."""
    import threading

    monkeypatch.setattr(gemm, "TASK_MACS", 1 << 10)
    monkeypatch.setattr(gemm, "ROW_MIN", 4)
    started = []

    def helpers(job):
        if who == "helper first":
            job()
        elif who == "helper thread":
            started.append(threading.Thread(target=job))
            started[-1].start()

    for layers, x in shared_cases():
        alone = np.empty((len(x), 16), np.float32)
        shared = np.full_like(alone, np.nan)
        assert layers.forward(x, np.empty(layers.scratch_shape(len(x)), np.float32), alone)
        scratch = np.full(layers.scratch_shape(len(x)), np.nan, np.float32)
        assert layers.forward(x, scratch, shared, helpers)
        np.testing.assert_array_equal(shared, alone)
    for thread in started:
        thread.join()


def test_tasks_cut_rows_first_then_panels():
    # (n, depth, panels, task_macs, row_min, most) -> (row parts, panel parts)
    assert gemm._tasks(4096, 784, 16, 1 << 18, 32, 64) == (64, 1)  # noqa: SLF001
    assert gemm._tasks(64, 784, 16, 1 << 18, 32, 64) == (2, 16)  # noqa: SLF001
    assert gemm._tasks(8, 256, 64, 1 << 18, 32, 64) == (1, 8)  # noqa: SLF001
    assert gemm._tasks(8, 32, 8, 1 << 18, 32, 64) == (1, 1)  # noqa: SLF001


def test_a_failing_worker_warns_and_keeps_working():
    import threading

    from mlpkit.packed import Workers

    workers = Workers(1)
    done = threading.Event()

    def fail():
        raise ValueError("boom")

    with pytest.warns(RuntimeWarning, match="prediction worker failed: ValueError"):
        workers.put(fail)
        workers.put(done.set)
        assert done.wait(30)
    workers.close()
    workers.threads[0].join(30)
    assert not workers.threads[0].is_alive()


def test_threads_may_share_one_frozen_model(monkeypatch):
    """Two callers at once on a model with a worker: each call counts its own tasks."""
    from concurrent.futures import ThreadPoolExecutor

    from mlpkit import packed

    monkeypatch.setattr(packed, "SPLIT_MACS", 1 << 16)
    net = network(["relu", "relu"], "softmax", n_features=200)
    frozen, alone = mk.freeze(net, threads=2), mk.freeze(net, threads=1)
    inputs = [
        np.random.default_rng(i).normal(size=(rows, 200)).astype(np.float32)
        for i, rows in enumerate([40, 300, 64, 7, 1000, 128] * 4)
    ]
    with ThreadPoolExecutor(3) as callers:
        got = list(callers.map(frozen.predict, inputs))
    for X, y in zip(inputs, got):
        np.testing.assert_array_equal(y, alone.predict(X))


def shared_model(monkeypatch, threads=2):
    """(a frozen copy whose 300-row calls are shared with threads − 1 workers, a 300-row X,
    its one-thread prediction)."""
    from mlpkit import packed

    monkeypatch.setattr(packed, "SPLIT_MACS", 1 << 16)
    net = network(["relu", "relu"], "softmax", n_features=200)
    X = np.random.default_rng(6).normal(size=(300, 200)).astype(np.float32)
    return mk.freeze(net, threads=threads), X, mk.freeze(net, threads=1).predict(X)


def test_workers_end_when_only_a_bound_predict_outlived_the_model(monkeypatch):
    import gc

    frozen, X, _ = shared_model(monkeypatch, threads=3)
    predict = frozen.predict
    del frozen  # closes the first workers; the next call starts others
    predict(X)
    threads = list(predict.__self__.predictor._workers.threads)  # noqa: SLF001
    assert len(threads) == 2
    del predict
    gc.collect()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)


def test_an_idle_worker_keeps_no_input_alive(monkeypatch):
    import gc
    import time
    import weakref

    frozen, X, expected = shared_model(monkeypatch)
    base = np.concatenate([X, X])
    alive = weakref.ref(base)
    np.testing.assert_array_equal(frozen.predict(base[:300]), expected)
    del base
    for _ in range(3000):  # the worker may take its job after the call returned
        gc.collect()
        if alive() is None:
            break
        time.sleep(0.01)
    assert alive() is None


def test_closing_while_another_thread_predicts_is_safe(monkeypatch):
    import sys
    import threading

    frozen, X, expected = shared_model(monkeypatch)
    predictor = frozen._model.predictor  # noqa: SLF001
    stop, errors = threading.Event(), []

    def close():
        while not stop.is_set():
            predictor.close()

    closer = threading.Thread(target=close)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    closer.start()
    try:
        for _ in range(300):
            try:
                np.testing.assert_array_equal(frozen.predict(X[:40]), expected[:40])
            except Exception as error:  # noqa: BLE001 - every failure is counted
                errors.append(repr(error))
    finally:
        stop.set()
        closer.join(30)
        sys.setswitchinterval(interval)
    assert errors == []


def test_closing_while_workers_start_does_not_wait_for_the_call(monkeypatch):
    """The collector may run FrozenModel.__del__ → close() on a thread that is starting (or on
    the caller, on any allocation): close() must not wait for a call that is starting it."""
    import threading

    from mlpkit import packed

    frozen, X, expected = shared_model(monkeypatch)
    predictor = frozen._model.predictor  # noqa: SLF001
    closed = []

    class Closing(packed.Workers):
        def __init__(self, count):
            closer = threading.Thread(target=predictor.close)
            closer.start()
            closer.join(10)
            closed.append(not closer.is_alive())
            super().__init__(count)

    monkeypatch.setattr(packed, "Workers", Closing)
    np.testing.assert_array_equal(frozen.predict(X), expected)
    assert closed == [True]


def test_an_interrupted_call_leaves_no_worker_writing_into_the_next(monkeypatch):
    """An exception after the workers were given the job (Ctrl-C) waits for their tasks, so the
    next call on the same workspace is not overwritten."""
    import threading

    class Interrupt(BaseException):
        pass

    monkeypatch.setattr(gemm, "TASK_MACS", 1 << 10)
    monkeypatch.setattr(gemm, "ROW_MIN", 4)
    layers, x = list(shared_cases())[-1]
    other = np.random.default_rng(9).normal(size=x.shape).astype(np.float32)
    expected = np.empty((len(x), 16), np.float32)
    scratch = np.empty(layers.scratch_shape(len(x)), np.float32)
    layers.forward(other, scratch, expected)

    def interrupted(job):
        threading.Thread(target=job).start()
        raise Interrupt

    for _ in range(20):
        with pytest.raises(Interrupt):
            layers.forward(x, scratch, np.empty_like(expected), interrupted)
        got = np.empty_like(expected)
        layers.forward(other, scratch, got)
        np.testing.assert_array_equal(got, expected)


def test_where_no_thread_can_start_the_caller_does_every_task(monkeypatch):
    import threading

    frozen, X, expected = shared_model(monkeypatch)

    def refuse(thread):
        raise RuntimeError("can't create new thread at interpreter shutdown")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    np.testing.assert_array_equal(frozen.predict(X), expected)
    assert frozen._model.predictor._workers is None  # noqa: SLF001


def in_forked_child(predict, X):
    """predict(X) in a forked child that inherits the model as it is (nothing pickled), or
    None where the child does not answer within 60 s."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=lambda: answers.put(predict(X)), daemon=True)
    child.start()
    try:
        return answers.get(timeout=60)
    except Exception:  # noqa: BLE001 - queue.Empty: the child hung
        return None
    finally:
        child.kill()
        child.join()


def test_a_forked_process_predicts_with_threads_of_its_own(monkeypatch):
    """Workers inherited across fork have no threads: the child must start its own."""
    frozen, X, expected = shared_model(monkeypatch)
    frozen.predict(X)  # starts the workers in the parent
    got = in_forked_child(frozen.predict, X)
    assert got is not None, "the forked child hung"
    np.testing.assert_array_equal(got, expected)


def test_a_fork_while_another_thread_holds_the_lock_does_not_hang_the_child(monkeypatch):
    frozen, X, expected = shared_model(monkeypatch)
    frozen.predict(X)
    with frozen._model.predictor._lock:  # noqa: SLF001 - held as another caller would hold it
        got = in_forked_child(frozen.predict, X)
    assert got is not None, "the forked child hung on the parent's lock"
    np.testing.assert_array_equal(got, expected)


def test_workspaces_stay_bounded_by_the_chunk_for_a_sigmoid_output():
    net = network(["relu"], "sigmoid", units=3)
    frozen = mk.freeze(net, threads=1)
    predictor = frozen._model.predictor  # noqa: SLF001 - the copy's own predictor
    for rows in (9000, 13000, 17000):
        frozen.predict(np.zeros((rows, 12), np.float32))
    sizes = [array.shape[0] for space in predictor._spaces.values() for array in space.values()]
    assert max(sizes) <= 4096 * 2  # scratch rows and chunk rows, never a whole call


def test_scikit_learn_scorers_take_a_frozen_estimator():
    from sklearn.metrics import get_scorer

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(150, 4)), rng.integers(0, 2, 150)
    clf = mk.MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, y)
    frozen = mk.freeze(clf)
    for name in ("accuracy", "roc_auc", "neg_log_loss"):
        assert get_scorer(name)(frozen, X, y) == pytest.approx(get_scorer(name)(clf, X, y))
    assert frozen.score(X, y) == pytest.approx(clf.score(X, y))


def test_packed_says_whether_anything_is_packed_and_copies_keep_the_threads():
    import copy
    import pickle

    assert not mk.freeze(network(["relu"], "softmax", dtype="float64")).packed
    frozen = mk.freeze(network(["relu"], "softmax"), threads=3)
    assert frozen.packed
    for twin in (copy.deepcopy(frozen), pickle.loads(pickle.dumps(frozen))):
        assert twin._model.predictor.threads == 3  # noqa: SLF001


def test_one_row_runs_the_whole_stack_but_a_lone_layer_keeps_its_gemv():
    def packed_keys(frozen):
        spaces = frozen._model.predictor._spaces  # noqa: SLF001
        return [key for space in spaces.values() for key in space if "packed" in key]

    whole = mk.freeze(network(["relu"], "softmax"))
    row = np.random.default_rng(0).normal(size=(1, 12)).astype(np.float32)
    np.testing.assert_allclose(whole.predict(row), whole._model.predict(row), atol=1e-6)  # noqa: SLF001
    assert packed_keys(whole) == ["packed"]
    layered = mk.freeze(network(["tanh"], "softmax"))  # tanh hidden: layer by layer
    layered.predict(row)
    assert packed_keys(layered) == []


@pytest.mark.parametrize("rows", [1, 3])
def test_huge_finite_values_predict_without_numpy_warnings(rows):
    """Sums of finite entries may overflow: neither check may warn where predict is right."""
    net = network(["relu"], "linear", units=2)
    net.params[...] = 1e-3
    X = np.full((rows, 12), 3e38, np.float32)
    big = mk.Sequential([L.Dense(2, use_bias=False)], dtype="float32")
    big.build(1)
    big.params[...] = 2e38
    ones = np.ones((rows, 1), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model, inputs in ((net, X), (big, ones)):
            expected = model.predict(inputs)
            assert np.isfinite(expected).all()
            np.testing.assert_allclose(mk.freeze(model).predict(inputs), expected, rtol=1e-5)


def test_bad_threads_and_unknown_names_are_refused_clearly():
    net = network(["relu"], "softmax")
    for threads in (0, -1, 2.5, "2"):
        with pytest.raises(mk.ConfigError, match="threads must be a positive integer"):
            mk.freeze(net, threads=threads)
    frozen = mk.freeze(net)
    with pytest.raises(AttributeError, match="has no attribute 'decision_function'"):
        frozen.decision_function  # noqa: B018


def test_packed_layers_refuse_rows_without_unit_column_stride():
    W = np.ones((4, 5), np.float32)
    layers = gemm.PackedLayers([(W, None, False)])
    out = np.empty((3, 5), np.float32)
    with pytest.raises(ValueError, match="unit column stride"):
        layers.forward(np.asfortranarray(np.ones((3, 4), np.float32)), np.empty((2, 48)), out)


def test_packed_layers_refuse_a_scratch_or_rows_they_would_overrun():
    layers = gemm.PackedLayers([(np.ones((4, 5), np.float32), None, False)])
    rows, out = np.ones((3, 4), np.float32), np.empty((3, 5), np.float32)
    for scratch in (np.empty((2, 47), np.float32), np.empty((2, 48)), np.empty((96, 2)).T):
        with pytest.raises(ValueError, match="scratch of at least shape"):
            layers.forward(rows, scratch, out)
    with pytest.raises(ValueError, match="rows of 4 columns"):
        layers.forward(np.ones((3, 3), np.float32), np.empty((2, 48), np.float32), out)
    for wrong in (np.empty((3, 4), np.float32), np.empty((2, 5), np.float32), np.empty((3, 5))):
        with pytest.raises(ValueError, match="out of shape"):
            layers.forward(rows, np.empty((2, 48), np.float32), wrong)


@pytest.mark.parametrize("rows", [1, 8, 4097])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_a_bad_value_is_refused_with_the_models_own_message(rows, value):
    """The whole stack checks its inputs in its own call; -inf would vanish in a ReLU."""
    net = network(["relu", "relu"], "softmax")
    frozen = mk.freeze(net)
    X = np.random.default_rng(0).normal(size=(rows, 12)).astype(np.float32)
    X[rows - 1, 5] = value
    with pytest.raises(ValueError) as frozen_error:
        frozen.predict(X)
    with pytest.raises(ValueError) as own_error:
        net.predict(X)
    assert str(frozen_error.value) == str(own_error.value)
    assert f"row {rows - 1}" in str(frozen_error.value)


@pytest.mark.parametrize("output", ["linear", "softmax"])
def test_outputs_that_overflow_are_said_as_the_model_says_them(output):
    net = network(["relu"], output, units=3)
    net.params[...] = np.abs(net.params) * 1e20
    frozen = mk.freeze(net)
    X = np.random.default_rng(0).uniform(1, 2, size=(8, 12)).astype(np.float32)
    with pytest.raises(mk.exceptions.OutputOverflowError) as frozen_error:
        frozen.predict(X)
    with pytest.raises(mk.exceptions.OutputOverflowError) as own_error:
        net.predict(X)
    assert str(frozen_error.value) == str(own_error.value)


def test_inputs_of_any_layout_or_dtype_predict_the_same():
    net = network(["relu", "relu"], "softmax")
    frozen = mk.freeze(net)
    X = np.random.default_rng(0).normal(size=(40, 12)).astype(np.float32)
    expected = frozen.predict(X)
    for other in (X.astype(np.float64), np.asfortranarray(X), X.tolist(), pd.DataFrame(X),
                  np.repeat(X, 2, axis=0)[::2]):  # fmt: skip
        np.testing.assert_array_equal(frozen.predict(other), expected)
