"""Keyed model files: ``save(model, path, key=...)`` signs with HMAC-SHA256 and
``mk.load(path, key=...)`` refuses a file that is unsigned, signed under another key, or
changed after signing (even with its SHA-256 checksum recomputed)."""

import numpy as np
import pytest
from modelfile_mutants import pack, parts

import mlpkit as mk
from mlpkit.loading import save
from mlpkit.modelfile import ModelFileError


@pytest.fixture(scope="module")
def net():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    model = mk.Sequential([mk.layers.Dense(4, activation="tanh"), mk.layers.Dense(1)])
    model.fit(X, X[:, 0], loss="mse", epochs=2)
    return model, X


def test_a_signed_file_loads_with_its_key_and_without_one(net, tmp_path):
    model, X = net
    path = save(model, tmp_path / "signed.mlpk", key=b"secret")
    for key in (b"secret", "secret", None):
        np.testing.assert_array_equal(mk.load(path, key=key).predict(X), model.predict(X))
    signature = parts(open(path, "rb").read())[0]["signature"]
    assert signature["algorithm"] == "hmac-sha256" and len(signature["value"]) == 64


def test_an_unsigned_or_wrongly_signed_file_is_refused_given_a_key(net, tmp_path):
    model, _ = net
    unsigned = model.save(tmp_path / "unsigned.mlpk")
    with pytest.raises(ModelFileError, match=r"unsigned\.mlpk: signature: .*not signed"):
        mk.load(unsigned, key="secret")
    signed = save(model, tmp_path / "signed.mlpk", key="secret")
    with pytest.raises(ModelFileError, match=r"signed\.mlpk: signature: does not verify"):
        mk.load(signed, key="another")


def test_a_signed_file_changed_with_its_checksum_recomputed_is_refused(net, tmp_path):
    model, _ = net
    path = save(model, tmp_path / "signed.mlpk", key="secret")
    meta, arrays = parts(open(path, "rb").read())
    arrays["params"] = arrays["params"] * 2
    forged = tmp_path / "forged.mlpk"
    forged.write_bytes(pack(meta, arrays))
    mk.load(forged)  # the checksum alone cannot tell: anyone can recompute it
    with pytest.raises(ModelFileError, match="does not verify"):
        mk.load(forged, key="secret")


def test_keys_must_be_non_empty_bytes_or_text(net, tmp_path):
    model, _ = net
    for key in (b"", 42):
        with pytest.raises(TypeError, match="key must be"):
            save(model, tmp_path / "bad.mlpk", key=key)


def test_an_estimator_signs_and_loads_like_a_network(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 3))
    model = mk.MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    model.fit(X, X[:, 0] > 0)
    loaded = mk.load(save(model, tmp_path / "clf.mlpk", key="k"), key="k")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
