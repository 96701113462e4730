"""What to_onnx refuses, in words that name the fault, and the file it never leaves behind."""

import os
import sys

import numpy as np
import pytest
from onnx_helpers import metadata

import mlpkit as mk
from mlpkit.export import onnx_graph


def _net(dtype="float32"):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    net = mk.Sequential(
        [mk.layers.Dense(4, activation="gelu"), mk.layers.Dense(1)], random_state=0, dtype=dtype
    )
    net.fit(X, X[:, 0], loss="mse", epochs=2)
    return net


def test_an_unfitted_estimator_and_an_unbuilt_network_are_refused(tmp_path):
    with pytest.raises(TypeError, match="MLPClassifier.*not fitted"):
        mk.export.to_onnx(mk.MLPClassifier(), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="no weights yet.*fit it"):
        mk.export.to_onnx(mk.Sequential([mk.layers.Dense(1)]), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="got str"):
        mk.export.to_onnx("model.mlpk", tmp_path / "m.onnx")
    assert os.listdir(tmp_path) == []


def test_paths_a_folder_a_missing_folder_and_no_path_are_refused(tmp_path):
    net = _net()
    with pytest.raises(IsADirectoryError, match="is a folder.*model.onnx"):
        mk.export.to_onnx(net, tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mk.export.to_onnx(net, tmp_path / "nowhere" / "m.onnx")
    with pytest.raises(TypeError, match="path must be a file name"):
        mk.export.to_onnx(net, 42)


def test_an_existing_file_is_kept_unless_overwrite_is_asked(tmp_path):
    net, path = _net(), tmp_path / "model.onnx"
    path.write_bytes(b"the user's own file")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        mk.export.to_onnx(net, path)
    assert path.read_bytes() == b"the user's own file"
    mk.export.to_onnx(net, path, overwrite=True)
    assert metadata(path)["dtype"] == "float32"


def test_a_graph_that_disagrees_is_not_written_and_says_by_how_much(tmp_path, monkeypatch):
    net, path = _net(), tmp_path / "model.onnx"
    path.write_bytes(b"old")
    real = onnx_graph.erf
    monkeypatch.setattr(onnx_graph, "erf", lambda g, u, dtype: g.op("Tanh", real(g, u, dtype)))
    with pytest.raises(
        mk.export.ExportMismatchError, match="did not write.*max .difference"
    ) as error:
        mk.export.to_onnx(net, path, overwrite=True)
    assert error.value.report["max_abs_difference"] > 1e-5
    assert path.read_bytes() == b"old"  # the user's file untouched
    assert sorted(os.listdir(tmp_path)) == ["model.onnx"]  # and no temporary file left


def test_a_tolerance_of_zero_refuses_float32_rounding(tmp_path):
    with pytest.raises(mk.export.ExportMismatchError, match="tolerance 0"):
        mk.export.to_onnx(_net(), tmp_path / "m.onnx", tolerance=0.0)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("strategy", ["previous", "drop"])
def test_preprocessing_that_depends_on_other_rows_is_refused(strategy, tmp_path):
    X = np.random.default_rng(1).normal(size=(40, 2))
    net = mk.Sequential(
        [mk.layers.Dense(1)], random_state=0, preprocessor=mk.data.Preprocessor(missing=strategy)
    )
    net.fit(X, X[:, 0], loss="mse", epochs=1)
    with pytest.raises(ValueError, match=f"'{strategy}' .column 'x0'.*depends on other rows"):
        mk.export.to_onnx(net, tmp_path / "m.onnx")
    path = mk.export.to_onnx(net, tmp_path / "m.onnx", include_preprocessor=False)  # the advice
    assert metadata(path)["model"] == "Sequential"


def test_a_foreign_preprocessor_and_a_bad_dtype_are_refused(tmp_path):
    from sklearn.preprocessing import StandardScaler

    X = np.random.default_rng(2).normal(size=(30, 2))
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=mk.data.Preprocessor())
    net.fit(X, X[:, 1], loss="mse", epochs=1)
    net.preprocessor = StandardScaler().fit(X)  # set by hand after fit
    with pytest.raises(ValueError, match="StandardScaler has no numeric_scaling"):
        mk.export.to_onnx(net, tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'; got dtype='int8'"):
        mk.export.to_onnx(_net(), tmp_path / "m.onnx", dtype="int8")


def test_without_onnx_installed_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r'pip install "mlpkit\[onnx\]"'):
        mk.export.to_onnx(_net(), tmp_path / "m.onnx")


def test_the_metadata_records_the_check(tmp_path):
    path = mk.export.to_onnx(_net("float64"), tmp_path / "m.onnx", dtype="float32")
    recorded = metadata(path)
    assert recorded["mlpkit_version"] == mk.__version__
    assert recorded["opset"] == "18" and recorded["dtype"] == "float32"
    assert 0 < float(recorded["max_abs_difference"]) <= float(recorded["tolerance"]) == 1e-5
    assert recorded["probe_rows"] == "64"
    assert '"name": "X"' in recorded["inputs"] and '"name": "output"' in recorded["outputs"]


def test_an_opset_too_old_for_the_graph_is_refused(tmp_path):
    with pytest.raises(ValueError, match="opset must be from 13 to .*got opset=11"):
        mk.export.to_onnx(_net(), tmp_path / "m.onnx", opset=11)


def test_the_docstring_examples_run():
    import doctest

    from mlpkit.export import onnx, torch

    assert doctest.testmod(onnx).failed == 0
    assert doctest.testmod(torch).failed == 0


def test_columns_with_any_names_and_one_named_like_an_output(tmp_path):
    import pandas as pd

    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"a b/c=1": rng.normal(size=60), "mlpkit/c_1": rng.choice(["u", "v"], 60)})
    clf = mk.MLPClassifier(hidden_layer_sizes=(3,), random_state=0, max_iter=5, preprocessor="auto")
    clf.fit(frame, rng.integers(0, 2, 60))
    path = mk.export.to_onnx(clf, tmp_path / "odd.onnx")
    assert '"a b/c=1"' in metadata(path)["inputs"]
    clf.fit(frame.rename(columns={"a b/c=1": "label"}), rng.integers(0, 2, 60))
    with pytest.raises(ValueError, match="column 'label' has the name of an output"):
        mk.export.to_onnx(clf, tmp_path / "label.onnx")
