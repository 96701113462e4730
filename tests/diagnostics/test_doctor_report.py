"""mk.doctor as a user meets it: the report, overridable thresholds, a finished History, the
network left untouched, and bad input refused with a message naming what is wrong."""

import json

import numpy as np
import pytest
from doctor_cases import blobs, stack

import mlpkit as mk

X, y = blobs()
BCE = "binary_cross_entropy"


@pytest.fixture(scope="module")
def dead_report():
    dead = stack("relu", 3, 32, bias_initializer=mk.initializers.Constant(-10.0))
    return mk.doctor(dead, X, y, loss=BCE, epochs=3)


def test_every_verdict_has_the_api_keys_and_a_known_status(dead_report):
    assert dead_report.verdicts
    for one in dead_report.verdicts:
        assert {"rule", "status", "evidence", "advice"} <= set(one)
        assert one["status"] in ("ok", "warn", "fail")
        assert isinstance(one["evidence"], str) and one["threshold"]
    assert dead_report.status == "fail"
    assert [v["rule"] for v in dead_report.problems()][0] in ("dying_relu", "vanishing_gradients")
    judged = {v["rule"] for v in dead_report.verdicts} | {s["rule"] for s in dead_report.skipped}
    assert judged == {rule.__name__ for rule in mk.diagnostics.RULES}


def test_the_report_reads_as_text_markdown_html_and_json(dead_report, tmp_path):
    text = str(dead_report)
    assert text.startswith("Training doctor: FAIL")
    assert "FAIL  dying_relu: 100% of the units of layer 0:Dense are never active" in text
    assert "| dying_relu | FAIL |" in dead_report.to_markdown()
    page = dead_report.to_html(tmp_path / "doctor.html")
    assert (tmp_path / "doctor.html").read_text() == page
    assert '<td class="status-fail">FAIL</td>' in page and "dying relu" in page
    assert page.count('<img src="data:image/png;base64,') == 4  # the probe run's statistics
    assert "share of dead ReLU units per layer" in page
    document = json.loads(json.dumps(dead_report.to_dict()))
    assert document["status"] == "fail"
    assert dead_report.verdict("dying_relu")["numbers"]["share"] == 1.0


def test_a_rule_not_judged_says_why(dead_report):
    with pytest.raises(KeyError, match="unscaled_targets.*a classification"):
        dead_report.verdict("unscaled_targets")


def test_thresholds_are_overridable_and_unknown_names_are_refused():
    alive = stack("relu", 3, 32)
    strict = mk.doctor(alive, X, y, loss=BCE, epochs=2, thresholds={"vanishing_warn": 10.0})
    assert strict.verdict("vanishing_gradients")["status"] == "warn"
    assert "warn below 10" in strict.verdict("vanishing_gradients")["threshold"]
    with pytest.raises(mk.ConfigError, match="unknown name.*'dead_relu'.*dead_relu_warn"):
        mk.doctor(alive, X, y, loss=BCE, thresholds={"dead_relu": 0.1})
    with pytest.raises(mk.ConfigError, match="dead_relu_warn=-1"):
        mk.doctor(alive, X, y, loss=BCE, thresholds={"dead_relu_warn": -1})


def test_the_probe_run_leaves_the_network_exactly_as_it_was():
    net = stack("relu", 3, 16)
    net.fit(X, y, loss=BCE, epochs=2)
    before_params = net.params.copy()
    before_streams = {name: rng.bit_generator.state for name, rng in net.rngs.items()}
    before_steps = net.optimizer.iterations
    report = mk.doctor(net, X, y, epochs=3)  # the loss comes from the last fit
    assert report.history["loss"] and len(report.history["loss"]) == 3
    assert net.params.tobytes() == before_params.tobytes()
    assert {name: rng.bit_generator.state for name, rng in net.rngs.items()} == before_streams
    assert net.optimizer.iterations == before_steps and net.epochs_trained == 2


def test_an_unbuilt_network_is_diagnosed_at_the_weights_its_seed_gives():
    from mlpkit.diagnostics.probe import probe_statistics

    net = stack("relu", 3, 16)
    report = mk.doctor(net, X, y, loss=BCE, epochs=1)
    assert not net.built
    seeded = stack("relu", 3, 16).build(X.shape[1])
    probe = np.asarray(report.statistics.probe, dtype=np.float32)
    assert probe_statistics(seeded, probe, 0.05) == report.statistics.initial


def test_a_finished_history_is_judged_without_training():
    net = stack("relu", 3, 16)
    history = net.fit(X, y, loss=BCE, epochs=4, validation_split=0.25)
    before = net.params.copy()
    report = mk.doctor(net, X, y, history=history)
    assert report.statistics is None and report.history["loss"] == history.history["loss"]
    assert report.verdict("overfitting")["status"] == "ok"
    assert net.params.tobytes() == before.tobytes()
    with pytest.raises(mk.NotFittedError, match=r"doctor\(history=...\) needs a built network"):
        mk.doctor(stack("relu", 3, 16), X, y, loss=BCE, history=history)


def test_bad_input_is_refused_naming_what_is_wrong():
    net = stack("relu", 3, 16)
    with pytest.raises(mk.ConfigError, match="Unknown loss 'msee'"):
        mk.doctor(net, X, y, loss="msee")
    with pytest.raises(mk.ConfigError, match="doctor needs a loss"):
        mk.doctor(net, X, y)
    with pytest.raises(ValueError, match="X has 400 rows but y has 399"):
        mk.doctor(net, X, y[:-1], loss=BCE)
    built = stack("relu", 3, 16)
    built.build(8)
    with pytest.raises(ValueError, match="5"):
        mk.doctor(built, X[:, :5], y, loss=BCE)
    with pytest.raises(TypeError, match="doctor takes an mk.Sequential"):
        mk.doctor("model.mlpk", X, y, loss=BCE)
    with pytest.raises(mk.ConfigError, match="needs a softmax output layer"):
        mk.doctor(net, X, y, loss="categorical_cross_entropy")


@pytest.mark.filterwarnings("ignore:accuracy")
def test_the_html_report_gets_a_doctor_section(dead_report, tmp_path):
    net = stack("relu", 3, 16)
    net.fit(X, y, loss=BCE, epochs=2)
    path = mk.report(net, X, y, tmp_path / "report.html", doctor=dead_report)
    page = path.read_text()
    assert "<h2>Training doctor: FAIL</h2>" in page
    assert page.index("Training doctor") < page.index("<h2>Configuration</h2>")


@pytest.mark.filterwarnings("ignore")
def test_a_fitted_estimator_on_a_raw_table_is_diagnosed_through_its_network():
    import pandas as pd

    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {"a": rng.normal(size=300), "kind": rng.choice(["x", "y"], 300), "c": rng.normal(size=300)}
    )
    labels = np.where(table.a > 0, "yes", "no")
    clf = mk.MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, preprocessor="auto", random_state=0)
    clf.fit(table, labels)
    before = clf.network_.params.copy()
    report = mk.doctor(clf, table, labels, epochs=3)
    assert report.verdict("unscaled_inputs")["status"] == "ok"  # the preprocessor scales them
    assert report.verdict("accuracy_paradox")["numbers"]["majority_share"] < 0.6
    assert clf.network_.params.tobytes() == before.tobytes()
    found = mk.lr_find(clf, table, labels, n_steps=20)
    assert len(found.lrs) == 20 and clf.network_.params.tobytes() == before.tobytes()
