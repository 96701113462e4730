"""Model files: exact round trips, atomic writes, and files that are refused."""

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import mlpkit as mk


def trained_net(tmp_path=None):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = mk.Sequential(
        [
            mk.layers.Dense(8, activation="prelu", kernel_regularizer=mk.regularizers.L1(1e-4)),
            mk.layers.BatchNorm(),
            mk.layers.Dropout(0.1),
            mk.layers.Residual([mk.layers.Dense(6, activation="leaky_relu"), mk.layers.Dense(6)]),
            mk.layers.Tanh(),
            mk.layers.Dense(2, activation="softmax"),
        ],
        random_state=0,
        regularizer="l2",
    )
    net.fit(
        X,
        y,
        loss="categorical_cross_entropy",
        epochs=3,
        optimizer=mk.optim.Adam(mk.schedules.ExponentialDecay(1e-2, 0.1)),
    )
    return net, X, y


def test_save_and_load_round_trip_predictions_bit_for_bit(tmp_path):
    net, X, y = trained_net()
    path = net.save(tmp_path / "model.mlpk")
    loaded = mk.load(path)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    np.testing.assert_array_equal(loaded.params, net.params)
    np.testing.assert_array_equal(loaded.layers[1].running_var, net.layers[1].running_var)
    assert loaded.optimizer.iterations == net.optimizer.iterations
    for name, array in net.optimizer.state.items():
        np.testing.assert_array_equal(loaded.optimizer.state[name], array)
    assert loaded.summary() == net.summary()
    loaded.fit(X, y, epochs=1)  # training continues from the file


def test_no_temporary_file_is_left_and_an_existing_file_is_replaced_whole(tmp_path):
    net, _, _ = trained_net()
    path = tmp_path / "model.mlpk"
    path.write_bytes(b"old")
    net.save(path, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["model.mlpk"]
    assert zipfile.is_zipfile(path)


def test_truncated_foreign_tampered_and_newer_files_are_refused(tmp_path):
    net, _, _ = trained_net()
    path = net.save(tmp_path / "model.mlpk")
    data = open(path, "rb").read()
    (tmp_path / "truncated.mlpk").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable mlpkit model file"):
        mk.load(tmp_path / "truncated.mlpk")
    np.savez(tmp_path / "foreign.npz", weights=np.ones(3))
    with pytest.raises(ValueError, match="no 'meta' document"):
        mk.load(tmp_path / "foreign.npz")

    def rewrite(name, change):
        with np.load(path) as archive:
            arrays = {key: archive[key] for key in archive.files}
        change(arrays)
        np.savez(tmp_path / name, **arrays)
        return tmp_path / name

    def tamper(arrays):
        arrays["params"] = arrays["params"] + 1

    with pytest.raises(ValueError, match="checksum does not match"):
        mk.load(rewrite("tampered.npz", tamper))

    def newer(arrays):
        meta = json.loads(arrays["meta"].tobytes())
        meta["format_version"] = 99
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)

    with pytest.raises(ValueError, match="format 99.*Upgrade mlpkit"):
        mk.load(rewrite("newer.npz", newer))


def test_a_pickle_payload_is_refused_without_being_executed(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    np.savez(tmp_path / "evil.npz", meta=np.array([Boom()], dtype=object))
    with pytest.raises(ValueError):
        mk.load(tmp_path / "evil.npz")
    assert not (tmp_path / "pwned").exists()
    del pickle


def test_a_changed_architecture_in_the_json_document_is_refused(tmp_path):
    net, _, _ = trained_net()
    path = net.save(tmp_path / "model.mlpk")
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    text = arrays["meta"].tobytes().decode().replace('"leaky_relu"', '"relu"')
    arrays["meta"] = np.frombuffer(text.encode(), dtype=np.uint8)
    np.savez(tmp_path / "edited.npz", **arrays)
    with pytest.raises(ValueError, match="checksum does not match"):
        mk.load(tmp_path / "edited.npz")


def test_frozen_layers_learning_rate_factor_and_file_mode_survive_saving(tmp_path):
    net, X, y = trained_net()
    net.layers[0].trainable = False
    net.optimizer.lr_factor = 0.25
    path = net.save(tmp_path / "model.mlpk")
    loaded = mk.load(path)
    assert [layer.trainable for layer in loaded.walk()] == [layer.trainable for layer in net.walk()]
    assert loaded.optimizer.lr_factor == 0.25 and loaded.optimizer.epoch == net.optimizer.epoch
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("activation", [a for a in mk.layers.ACTIVATIONS if a != "softmax"])
def test_every_activation_round_trips_bit_for_bit(activation, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    layer = (
        mk.layers.LeakyReLU(0.2)
        if activation == "leaky_relu"
        else mk.layers.GELU("tanh")
        if activation == "gelu"
        else activation
    )
    net = mk.Sequential([mk.layers.Dense(5, activation=layer), mk.layers.Dense(2)], random_state=0)
    net.fit(X, X[:, :2], loss="mse", epochs=2)
    loaded = mk.load(net.save(tmp_path / "net.mlpk"))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert loaded.layers[0].activation.get_config() == net.layers[0].activation.get_config()


def test_files_that_are_not_model_archives_get_a_clear_error(tmp_path):
    np.save(tmp_path / "array.npy", np.ones(3))
    with pytest.raises(ValueError, match="single array"):
        mk.load(tmp_path / "array.npy")
    for name, meta in [
        ("list.npz", []),
        ("version.npz", {"format": "mlpkit-model", "format_version": "2"}),
    ]:
        blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        np.savez(tmp_path / name, meta=blob)
        with pytest.raises(ValueError, match="not an mlpkit model file|not a number"):
            mk.load(tmp_path / name)


def test_training_continues_bit_for_bit_after_saving_and_loading(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(96, 4)), rng.integers(0, 3, size=96)

    def network():
        return mk.Sequential(
            [
                mk.layers.Dense(8, activation="relu"),
                mk.layers.Dropout(0.3),
                mk.layers.Dense(3, activation="softmax"),
            ],
            random_state=5,
        )

    straight = network()
    straight.fit(X, y, loss="categorical_cross_entropy", epochs=4, batch_size=16)
    paused = network()
    paused.fit(X, y, loss="categorical_cross_entropy", epochs=2, batch_size=16)
    resumed = mk.load(paused.save(tmp_path / "half.mlpk"))
    resumed.fit(X, y, epochs=2, batch_size=16)
    np.testing.assert_array_equal(resumed.params, straight.params)


#: The modules of the container, which know nothing of models.
CONTAINER = (
    "errors",
    "jsontext",
    "archive",
    "integrity",
    "atomic",
    "container",
    "schema",
    "fields",
)


def test_the_model_file_container_imports_nothing_of_mlpkit():
    import ast
    import subprocess
    import sys

    folder = Path(mk.modelfile.__file__).parent / "persistence"
    for name in CONTAINER:
        tree = ast.parse((folder / f"{name}.py").read_text())
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        relative = [n for n in imports if isinstance(n, ast.ImportFrom) and n.level]
        assert all(n.level == 1 and (n.module or "") in ("", *CONTAINER) for n in relative), name
        assert not [a.name for n in imports for a in n.names if "mlpkit" in a.name], name
    script = (
        f"import sys; sys.path.insert(0, {str(folder.parent)!r})\n"
        + "".join(f"import persistence.{name}\n" for name in CONTAINER)
        + "print(sorted(name for name in sys.modules if name.startswith('mlpkit')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_file_of_the_first_format_gets_a_clear_message(tmp_path):
    net, _, _ = trained_net()
    path = net.save(tmp_path / "model.mlpk")
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(arrays["meta"].tobytes())
    meta["format_version"], meta["mlpkit_version"] = 1, "0.1.0"
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "old.npz", **arrays)
    with pytest.raises(ValueError, match=r"mlpkit 0\.1\.0 in model-file format 1.*reads format 2"):
        mk.load(tmp_path / "old.npz")


@pytest.mark.parametrize(
    "labels",
    [np.array(["no", "yes"]), np.array([False, True]), np.array([3, 7])],
    ids=["text", "bool", "ints"],
)
def test_class_labels_come_back_from_a_model_file_with_their_type(labels, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    y = labels[(X[:, 0] > 0).astype(int)]
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, y, loss="binary_cross_entropy", epochs=5)
    loaded = mk.load(net.save(tmp_path / "labels.mlpk"))
    assert loaded.classes_.dtype == labels.dtype
    np.testing.assert_array_equal(loaded.classes_, labels)
    np.testing.assert_array_equal(loaded.predict_classes(X), net.predict_classes(X))


def test_saving_onto_a_folder_or_to_no_path_is_refused_before_writing(tmp_path):
    net = mk.Sequential([mk.layers.Dense(1)]).build(2)
    with pytest.raises(IsADirectoryError, match=r"is a folder.*model\.mlpk"):
        net.save(tmp_path)
    with pytest.raises(TypeError, match="path=42"):
        net.save(42)
    with pytest.raises(TypeError, match="path=None"):
        mk.load(None)
    assert os.listdir(tmp_path) == []
