"""The edits of the mutation test: document entries set to the wrong type, range or length,
deleted or added, and arrays poisoned, cut or replaced; each with the word a clean refusal's
message must hold (the field at fault)."""

import copy

import numpy as np


def setter(*path, value=None, delete=False):
    """A change setting (or deleting) the document's entry at ``path``."""

    def change(document, arrays):
        node = document
        for key in path[:-1]:
            node = node[key]
        if delete:
            del node[path[-1]]
        else:
            node[path[-1]] = copy.deepcopy(value)

    return change


def deep(levels: int) -> str:
    """A marker that :func:`pack` writes as ``levels`` nested lists (too deep to build as a
    Python value and dump)."""
    return f"__deep{levels}__"


def network_edits(prefix: tuple) -> list:
    """Document edits of a network document at ``prefix`` (``()`` or ``("network",)``)."""
    p = prefix
    return [
        ("nfeat-1e12", setter(*p, "n_features", value=10**12), "n_features"),
        ("nfeat-5e6", setter(*p, "n_features", value=5_000_000), "n_features"),
        ("nfeat-0", setter(*p, "n_features", value=0), "n_features"),
        ("nfeat-str", setter(*p, "n_features", value="5"), "n_features"),
        ("nfeat-float", setter(*p, "n_features", value=5.5), "n_features"),
        ("nfeat-missing", setter(*p, "n_features", delete=True), "n_features"),
        ("epochs-many", setter(*p, "epochs_trained", value="many"), "epochs_trained"),
        ("epochs-neg", setter(*p, "epochs_trained", value=-3), "epochs_trained"),
        ("epochs-huge", setter(*p, "epochs_trained", value=10**30), "epochs_trained"),
        ("frozen-str", setter(*p, "frozen", value="all"), "frozen"),
        ("frozen-far", setter(*p, "frozen", value=[10**6]), "frozen"),
        ("dtype-f16", setter(*p, "config", "dtype", value="float16"), "dtype"),
        ("dtype-obj", setter(*p, "config", "dtype", value="object"), "dtype"),
        ("layers-empty", setter(*p, "config", "layers", value=[]), "layers"),
        ("layers-str", setter(*p, "config", "layers", value="Dense"), "layers"),
        ("layer-class", setter(*p, "config", "layers", 0, "class", value="Evil"), "layers[0]"),
        ("layer-units-neg", setter(*p, "config", "layers", 0, "config", "units", value=-1), "0]"),
        ("layer-units-str", setter(*p, "config", "layers", 0, "config", "units", value="8"), "0]"),
        ("layer-units-9", setter(*p, "config", "layers", 0, "config", "units", value=9), "params"),
        ("layer-extra", setter(*p, "config", "layers", 0, "config", "evil", value=1), "layers[0]"),
        ("layer-act", setter(*p, "config", "layers", 0, "config", "activation", value=7), "[0]"),
        ("layer-deep", setter(*p, "config", "layers", 0, "config", value=deep(100_000)), "meta"),
        ("layer-deep50", setter(*p, "config", "layers", 0, value=deep(50)), "layers[0]"),
        ("regularizer", setter(*p, "config", "regularizer", value={"name": "l9"}), "regularizer"),
        ("reg-neg", setter(*p, "config", "regularizer", value={"name": "l2", "l2": -1}), "regul"),
        ("target-scaler", setter(*p, "config", "target_scaler", value="log"), "target_scaler"),
        ("random-state", setter(*p, "config", "random_state", value=-5), "random_state"),
        ("loss-name", setter(*p, "loss", value={"name": "nope"}), "loss"),
        ("loss-list", setter(*p, "loss", value=[1, 2]), "loss"),
        (
            "rng-state-str",
            setter(*p, "random_streams", "init", "state", "state", value="x"),
            "init",
        ),
        ("rng-state-neg", setter(*p, "random_streams", "init", "state", "inc", value=-1), "init"),
        ("rng-big", setter(*p, "random_streams", "shuffle", "state", "inc", value=2**130), "shuf"),
        (
            "rng-kind",
            setter(*p, "random_streams", "init", "bit_generator", value="MT19937"),
            "init",
        ),
        ("rng-name", setter(*p, "random_streams", "evil", value={}), "random_streams"),
        ("rng-missing", setter(*p, "random_streams", "dropout", delete=True), "dropout"),
        ("rng-uint32", setter(*p, "random_streams", "init", "has_uint32", value=2), "has_uint32"),
        ("split-seed", setter(*p, "split_seed", value=-1), "split_seed"),
        ("class", setter(*p, "class", value="Evil"), "class"),
        ("target-str", setter(*p, "target", value="binary"), "target"),
        ("target-units", setter(*p, "target", "n_units", value=7), "n_units"),
        ("preproc-list", setter(*p, "preprocessor", value=[1]), "preprocessor"),
        ("unknown-field", setter(*p, "evil", value=1), "evil"),
    ]


def optimizer_edits(prefix: tuple) -> list:
    p = (*prefix, "optimizer")
    return [
        ("opt-iter-neg", setter(*p, "iterations", value=-1), "iterations"),
        ("opt-iter-str", setter(*p, "iterations", value="12"), "iterations"),
        ("opt-lr0", setter(*p, "lr_factor", value=0.0), "lr_factor"),
        ("opt-lr-nan", setter(*p, "lr_factor", value=float("nan")), "lr_factor"),
        ("opt-lr-inf", setter(*p, "lr_factor", value=float("inf")), "lr_factor"),
        ("opt-name", setter(*p, "config", "name", value="nope"), "optimizer"),
        ("opt-beta", setter(*p, "config", "beta_1", value=7.0), "optimizer"),
    ]


def array_edits(batchnorm: str | None, prefix: str = "") -> list:
    """Edits of the arrays (and one of the meta member's text); ``prefix`` is that of an
    ensemble member's arrays."""
    params = f"{prefix}params"

    def put(name, value):
        def change(document, arrays):
            arrays[name] = value(arrays.get(name))

        return change

    def drop(name):
        def change(document, arrays):
            del arrays[name]

        return change

    def poison(value, index=0):
        def make(array):
            array = array.copy()
            array.flat[index] = value
            return array

        return make

    edits = [
        ("params-nan", put(params, poison(np.nan)), params),
        ("params-inf", put(params, poison(np.inf, -1)), params),
        ("params-short", put(params, lambda a: a[:-1]), params),
        ("params-long", put(params, lambda a: np.concatenate([a, a])), params),
        ("params-2d", put(params, lambda a: a.reshape(1, -1)), params),
        ("params-f16", put(params, lambda a: a.astype(np.float16)), params),
        ("params-int", put(params, lambda a: a.astype(np.int64)), params),
        ("params-missing", drop(params), params),
        ("extra-array", put(f"{prefix}evil", lambda a: np.zeros(3)), "evil"),
        ("extra-huge", put(f"{prefix}evil", lambda a: np.zeros(2**22, dtype=np.uint8)), "evil"),
        ("strings", put(params, lambda a: np.array(["x"] * a.size)), params),
    ]
    if batchnorm is not None:
        edits += [
            ("bn-var-neg", put(f"{batchnorm}/running_var", poison(-1.0)), "running_var"),
            ("bn-var-nan", put(f"{batchnorm}/running_var", poison(np.nan)), "running_var"),
            ("bn-mean-len", put(f"{batchnorm}/running_mean", lambda a: a[:1]), "running_mean"),
            ("bn-mean-huge", put(f"{batchnorm}/running_mean", lambda a: np.zeros(10**6)), "mean"),
        ]
    return edits


def estimator_edits() -> list:
    """Edits of an estimator's document (its network's preprocessor and target included)."""
    scale = ("network", "preprocessor", "steps", "scale", "fitted")
    target = ("network", "target", "scaler_state", "fitted")

    def item(*path, value):
        return setter(*path, value=value)

    return [
        ("mean-short", item(*scale, "mean_", value=[0.0]), "mean_"),
        ("mean-str", item(*scale, "mean_", value=["a", "b", "c"]), "mean_"),
        ("var-neg", item(*scale, "var_", value=[-1.0, 1.0, 1.0]), "var_"),
        ("scale-zero", item(*scale, "scale_", value=[0.0, 1.0, 1.0]), "scale_"),
        ("scale-nan", item(*scale, "scale_", value=[float("nan"), 1.0, 1.0]), "scale_"),
        ("scale-nfi", item(*scale, "n_features_in_", value=10**9), "scale"),
        ("target-mean", item(*target, "mean_", value=[1.0, 2.0]), "mean_"),
        ("target-scale-inf", item(*target, "scale_", value=[float("inf")]), "scale_"),
        ("target-kind", item("network", "target", "scaler_state", "kind", value="log"), "kind"),
        ("nfi-str", item("fitted", "n_features_in_", value="3"), "n_features_in_"),
        ("nfi-wrong", item("fitted", "n_features_in_", value=4), "n_features_in_"),
        ("n-iter-neg", item("fitted", "n_iter_", value=-1), "n_iter_"),
        ("loss-curve", item("fitted", "loss_curve_", value="low"), "loss_curve_"),
        ("names-short", item("fitted", "feature_names_in_", value=["a"]), "feature_names_in_"),
        ("fitted-extra", item("fitted", "evil", value=1), "evil"),
        ("hidden", item("params", "hidden_layer_sizes", value="big"), "hidden_layer_sizes"),
        ("alpha", item("params", "alpha", value=-1.0), "alpha"),
        ("est-class", item("class", value="MLPEvil"), "class"),
        ("prep-nfi", item("network", "preprocessor", "input", "n_features_in", value=4), "n_feat"),
        ("prep-steps", item("network", "preprocessor", "steps", value=[]), "preprocessor"),
    ]


def classifier_edits() -> list:
    classes = ("network", "target", "classes")
    return [
        ("labels-void", setter(*classes, "dtype", value="V100000000"), "dtype"),
        ("labels-bad", setter(*classes, "dtype", value="evil"), "dtype"),
        ("labels-few", setter(*classes, "values", value=["a"]), "classes"),
        ("labels-str", setter(*classes, "values", value="ab"), "values"),
    ]


def ensemble_edits() -> list:
    """Edits of an Ensemble's own fields (two members of text-label classifiers)."""

    def stray(name):
        def change(document, arrays):
            arrays[name] = arrays["member0/params"].copy()

        return change

    labels = ("members", 1, "network", "target", "classes", "values")
    return [
        ("ens-class", setter("class", value="Ensembles"), "class"),
        ("ens-weights-short", setter("weights", value=[1.0]), "weights"),
        ("ens-weight-neg", setter("weights", 0, value=-1.0), "weights[0]"),
        ("ens-weights-zero", setter("weights", value=[0.0, 0.0]), "weights"),
        ("ens-weights-str", setter("weights", value="equal"), "weights"),
        ("ens-weight-nan", setter("weights", 1, value=float("nan")), "weights[1]"),
        ("ens-trials-neg", setter("trials", 0, value=-1), "trials[0]"),
        ("ens-trials-long", setter("trials", value=[1, 2, 3]), "trials"),
        ("ens-members-empty", setter("members", value=[]), "members"),
        ("ens-members-missing", setter("members", delete=True), "members"),
        ("ens-member-net", setter("members", 1, "class", value="Sequential"), "members[1]"),
        ("ens-member-kind", setter("members", 1, "class", value="MLPRegressor"), "members[1]"),
        ("ens-member-nfi", setter("members", 1, "fitted", "n_features_in_", value=4), "members[1]"),
        ("ens-member-labels", setter(*labels, value=["maybe", "no"]), "members[1]"),
        ("ens-array-stray", stray("member7/params"), "member7/params"),
        ("ens-array-bare", stray("params"), "'params'"),
    ]
