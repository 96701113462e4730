"""Pictures render headless to PNG and SVG, at the intended size, with their key labels."""

import struct

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

import mlpkit as mk
from mlpkit import plots

SIZE_PIXELS = (704, 440)  # 6.4 × 4 in at 110 dpi


def png_size(path):
    """Width and height from the PNG header (the IHDR chunk follows the 8-byte signature)."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def texts(figure):
    """Every piece of text in the figure: titles, axis labels, ticks, legends, annotations."""
    return [artist.get_text() for artist in figure.findobj(Text) if artist.get_text()]


def text_of(figure):
    return "\n".join(texts(figure))


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


@pytest.fixture(scope="module")
def trained(data):
    X, y = data
    net = mk.Sequential(
        [mk.layers.Dense(4, activation="relu"), mk.layers.Dense(2, activation="softmax")],
        random_state=0,
    )
    history = net.fit(
        X, y, loss="categorical_cross_entropy", epochs=5, validation_split=0.2, metrics=["accuracy"]
    )
    return net, history


COMPLEXITY = {
    "complexity": [1, 2, 4, 8, 16, 32],
    "train_error": [0.40, 0.30, 0.20, 0.10, 0.05, 0.02],
    "val_error": [0.42, 0.33, 0.22, 0.15, 0.18, 0.25],
    "label": "hidden units",
}

PICTURES = {
    "learning_curves": lambda net, history, X, y, path: plots.learning_curves(history, path=path),
    "gradient_norms": lambda net, history, X, y, path: plots.gradient_norms(history, path=path),
    "confusion_matrix": lambda net, history, X, y, path: plots.confusion_matrix(
        [[5, 1], [2, 7]], path=path
    ),
    "roc_curve": lambda net, history, X, y, path: plots.roc_curve(
        [0, 0.2, 1], [0, 0.7, 1], auc=0.75, path=path
    ),
    "lift_gain": lambda net, history, X, y, path: plots.lift_gain(
        [0.5, 1.0], [0.8, 1.0], [1.6, 1.0], path=path
    ),
    "activation_functions": lambda net, history, X, y, path: plots.activation_functions(
        ["relu", "tanh"], path=path
    ),
    "architecture": lambda net, history, X, y, path: plots.architecture(net, path=path),
    "decision_boundary": lambda net, history, X, y, path: plots.decision_boundary(
        net, X, y, resolution=40, path=path
    ),
    "complexity_curve": lambda net, history, X, y, path: plots.complexity_curve(
        COMPLEXITY, path=path
    ),
}


@pytest.mark.parametrize("name", PICTURES)
def test_each_picture_saves_a_png_of_the_figure_size_and_returns_the_figure(
    name, trained, data, tmp_path
):
    path = tmp_path / f"{name}.png"
    figure = PICTURES[name](*trained, *data, path)
    assert isinstance(figure, Figure)
    assert path.stat().st_size > 1000
    width, height = figure.get_size_inches() * 110
    assert png_size(path) == (round(width), round(height))
    assert figure.get_suptitle()


@pytest.mark.parametrize("name", ["architecture", "roc_curve", "learning_curves"])
def test_each_picture_saves_an_svg_by_suffix(name, trained, data, tmp_path):
    path = tmp_path / f"{name}.svg"
    PICTURES[name](*trained, *data, path)
    svg = path.read_text()
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")


def test_most_pictures_are_6_4_by_4_inches_which_is_704_by_440_pixels(trained, data, tmp_path):
    for name in ("learning_curves", "gradient_norms", "roc_curve", "decision_boundary"):
        path = tmp_path / f"{name}.png"
        PICTURES[name](*trained, *data, path)
        assert png_size(path) == SIZE_PIXELS, name


def test_a_figure_is_returned_without_saving_when_no_path_is_given(trained, data):
    figure = PICTURES["roc_curve"](*trained, *data, None)
    assert isinstance(figure, Figure)


def test_saving_to_another_format_raises_and_names_the_supported_ones(tmp_path):
    with pytest.raises(ValueError, match=r"\.png.*\.svg"):
        plots.roc_curve([0, 1], [0, 1], path=tmp_path / "roc.jpg")


def test_figures_stay_outside_pyplot_and_take_the_title_given(trained):
    figure = plots.learning_curves(trained[1], title="My run")
    assert figure.canvas.manager is None  # not registered with pyplot's figure manager
    assert figure.get_suptitle() == "My run"


def test_learning_curves_show_loss_and_accuracy_per_epoch_for_training_and_validation(
    trained, tmp_path
):
    figure = plots.learning_curves(trained[1], path=tmp_path / "curves.png")
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["loss", "accuracy"]
    for ax in visible:
        assert ax.get_xlabel() == "epoch"
        assert legend_texts(ax) == ["training", "validation"]
        assert list(ax.lines[0].get_xdata()) == [1, 2, 3, 4, 5]
    assert "grad" not in text_of(figure) and "lr" not in [ax.get_title() for ax in visible]


def test_learning_curves_take_the_history_dict_and_a_chosen_metric():
    history = {"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.7, 0.8], "mae": [3, 2, 1]}
    figure = plots.learning_curves(history, metrics=["accuracy"])
    assert [ax.get_title() for ax in figure.axes] == ["loss", "accuracy"]
    assert legend_texts(figure.axes[0]) == ["training"]


def test_learning_curves_name_a_metric_missing_from_the_history(trained):
    with pytest.raises(ValueError, match="auc"):
        plots.learning_curves(trained[1], metrics=["auc"])


def test_confusion_matrix_writes_counts_in_the_cells_with_predicted_and_true_axes():
    figure = plots.confusion_matrix([[50, 3], [7, 40]], labels=["no failure", "failure"])
    ax = figure.axes[0]
    assert "predicted" in ax.get_xlabel() and "true" in ax.get_ylabel()
    assert sorted(t.get_text() for t in ax.texts) == ["3", "40", "50", "7"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["no failure", "failure"]


def test_normalised_confusion_matrix_writes_each_true_class_share():
    figure = plots.confusion_matrix(np.array([[3, 1], [0, 0]]), normalize=True)
    assert [t.get_text() for t in figure.axes[0].texts] == ["0.75", "0.25", "0.00", "0.00"]
    assert "share" in figure.get_suptitle()


def test_confusion_matrix_rejects_a_non_square_matrix():
    with pytest.raises(ValueError, match="square"):
        plots.confusion_matrix([[1, 2, 3], [4, 5, 6]])


def test_roc_curve_legend_shows_the_auc_and_the_chance_diagonal():
    figure = plots.roc_curve([0, 0.1, 1], [0, 0.8, 1], auc=0.85)
    ax = figure.axes[0]
    assert legend_texts(ax) == ["model (AUC = 0.850)", "chance (AUC = 0.5)"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("false positive rate", "true positive rate")


def test_roc_curve_computes_the_auc_when_not_given_and_draws_one_curve_per_class():
    assert "AUC = 0.500" in legend_texts(plots.roc_curve([0, 1], [0, 1]).axes[0])[0]
    figure = plots.roc_curve({"a": [0, 0, 1], "b": [0, 1]}, {"a": [0, 1, 1], "b": [0, 1]})
    assert legend_texts(figure.axes[0])[:2] == ["a (AUC = 1.000)", "b (AUC = 0.500)"]


def test_lift_gain_draws_gain_against_random_and_lift_on_a_second_panel():
    fractions = np.linspace(0.1, 1, 10)
    gain = np.minimum(1, 2 * fractions)
    figure = plots.lift_gain(fractions, gain, gain / fractions)
    assert [ax.get_title() for ax in figure.axes] == ["cumulative gain", "lift"]
    assert all(legend_texts(ax) == ["model", "random"] for ax in figure.axes)
    assert len(plots.lift_gain(fractions, gain).axes) == 1


def test_activation_functions_draw_each_function_solid_and_its_derivative_dashed():
    figure = plots.activation_functions()
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert len(titles) == len(mk.layers.ACTIVATIONS)
    assert {"relu", "leaky relu", "prelu", "gelu"} <= set(titles)
    assert any(title.startswith("softmax") for title in titles)
    assert legend_texts(figure.axes[0]) == ["f(z)", "f′(z)"]
    for ax in figure.axes[: len(titles)]:
        f, df = ax.lines[-2:]
        assert (f.get_linestyle(), df.get_linestyle()) == ("-", "--")


def test_activation_derivatives_come_from_the_layers_backward_pass():
    z = np.linspace(-3, 3, 61)
    figure = plots.activation_functions(["sigmoid", "relu", "prelu", "softmax"], z=z)
    sigmoid, relu, prelu, softmax = (ax.lines[-2:] for ax in figure.axes[:4])
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(sigmoid[1].get_ydata(), s * (1 - s), atol=1e-6)
    np.testing.assert_array_equal(relu[1].get_ydata(), (z > 0).astype(float))
    np.testing.assert_allclose(prelu[1].get_ydata(), np.where(z > 0, 1, 0.25))
    np.testing.assert_allclose(softmax[0].get_ydata(), s, atol=1e-6)  # softmax([z, 0])₀ = σ(z)
    np.testing.assert_allclose(softmax[1].get_ydata(), s * (1 - s), atol=1e-6)


def test_architecture_annotates_type_units_activation_and_parameter_count(trained):
    figure = plots.architecture(trained[0])
    text = text_of(figure)
    for expected in ("input", "2 features", "0: Dense", "4 units, relu", "12 parameters"):
        assert expected in text
    assert "2 units, softmax" in text and "10 parameters" in text
    assert figure.get_suptitle() == "Network architecture: 22 parameters"


def test_architecture_caps_wide_layers_and_draws_batchnorm_dropout_and_residual():
    layers = mk.layers
    net = mk.Sequential(
        [
            layers.Dense(40, activation="tanh"),
            layers.BatchNorm(),
            layers.Dropout(0.2),
            layers.Residual([layers.Dense(8, activation="relu"), layers.Dense(8)]),
            layers.ReLU(),
            layers.Dense(1, activation="sigmoid"),
        ],
        random_state=0,
    ).build(3)
    figure = plots.architecture(net)
    text = text_of(figure)
    for expected in ("40 units, tanh", "⋮", "1: BatchNorm", "then dropout 0.2", "then relu"):
        assert expected in text
    assert "3: Residual" in text and "Dense 8 relu → Dense 8" in text and "skip" in text
    drawn = [len(c.get_offsets()) for c in figure.axes[0].collections]
    assert drawn == [3, 11, 11, 8, 1]  # 40 units: 11 nodes around the "⋮"
    assert f"{net.params.size:,} parameters" in figure.get_suptitle()


def test_architecture_gives_the_shapes_of_convolutional_and_recurrent_layers():
    layers = mk.layers
    conv = mk.Sequential(
        [
            layers.Reshape((1, 8, 8)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPool2D(2),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ]
    ).build(64)
    text = text_of(plots.architecture(conv))
    for expected in ("then Reshape → 1×8×8", "4 filters 3×3, relu", "output 4×6×6",
                     "then MaxPool2D → 4×3×3", "then Flatten → 36"):  # fmt: skip
        assert expected in text
    recurrent = mk.Sequential(
        [
            layers.Reshape((8, 8)),
            layers.LSTM(5, return_sequences=True),
            layers.Flatten(),
            layers.Dense(1),
        ]  # fmt: skip
    ).build(64)
    text = text_of(plots.architecture(recurrent))
    assert "5 units, every step" in text and "output 8×5" in text


def test_architecture_of_an_unbuilt_network_says_to_fit_or_build_first():
    net = mk.Sequential([mk.layers.Dense(2)])
    with pytest.raises(ValueError, match="build"):
        plots.architecture(net)


def test_gradient_norms_draw_each_layer_and_the_global_norm_on_a_log_scale(trained):
    figure = plots.gradient_norms(trained[1])
    ax = figure.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert legend_texts(ax) == ["layer 0 (Dense)", "layer 1 (Dense)", "all parameters"]


def test_gradient_norms_need_the_norms_in_the_history():
    with pytest.raises(ValueError, match="grad_norm"):
        plots.gradient_norms({"loss": [1.0]})


def test_decision_boundary_colours_the_predicted_class_under_the_points(trained, data):
    X, y = data
    figure = plots.decision_boundary(trained[0], X, y, resolution=30)
    ax = figure.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 1", "feature 2")
    assert legend_texts(ax) == ["class 0", "class 1"]
    points = [c for c in ax.collections if type(c) is PathCollection]  # the scatters
    assert sum(len(c.get_offsets()) for c in points) == len(X)


def test_decision_boundary_of_one_sigmoid_unit_shows_the_probability(data):
    X, y = data
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, y, loss="binary_cross_entropy", epochs=2)
    figure = plots.decision_boundary(net, X, y.astype(float), resolution=30)
    assert "probability" in text_of(figure)
    assert legend_texts(figure.axes[0]) == ["class 0", "class 1"]


def test_decision_boundary_needs_two_features(trained):
    with pytest.raises(ValueError, match="2 columns"):
        plots.decision_boundary(trained[0], np.zeros((4, 3)), np.zeros(4))


def test_complexity_curve_plots_both_errors_and_marks_the_best_validation_point():
    figure = plots.complexity_curve(COMPLEXITY)
    ax = figure.axes[0]
    assert legend_texts(ax) == ["training", "validation", "best: 8"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("hidden units", "error")
    star = ax.lines[2]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (8, 0.15)


def test_complexity_curve_takes_named_complexities():
    result = {"complexity": ["8", "16-8", "32-16-8"], "train_error": [3, 2, 1]}
    result["val_error"] = [3, 1, 2]
    figure = plots.complexity_curve(result)
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["8", "16-8", "32-16-8"]
    assert figure.axes[0].get_xlabel() == "complexity"


# -- class names and loss units -------------------------------------------------------------------


def test_decision_boundary_names_text_classes_and_colours_them_by_output_unit(data):
    X, y = data
    words = np.array(["tails", "heads"])[y]  # classes_ sorted: heads (unit 0), tails (unit 1)
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, words, loss="binary_cross_entropy", epochs=2)
    figure = plots.decision_boundary(net, X, words, resolution=30)
    assert legend_texts(figure.axes[0]) == ["heads", "tails"]
    assert "predicted probability of tails" in text_of(figure)
    with pytest.raises(ValueError, match="does not know"):
        plots.decision_boundary(net, X, np.where(y, "tails", "edge"), resolution=10)


def test_learning_curves_say_when_the_loss_is_in_scaled_units():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "rmse": [9.0, 7.0]}
    figure = plots.learning_curves(history, loss_units="standardised target units")
    loss, rmse = figure.axes[:2]
    assert loss.get_ylabel() == "loss in standardised target units"
    assert loss.get_legend().get_title().get_text() == "in standardised target units"
    assert rmse.get_ylabel() == "" and rmse.get_legend().get_title().get_text() == ""
    plain = plots.learning_curves(history)
    assert plain.axes[0].get_ylabel() == ""


def test_roc_lift_gain_and_complexity_name_the_positive_class_and_units():
    roc = plots.roc_curve([0, 0.5, 1], [0, 0.8, 1], label="model, positive class >50K")
    assert legend_texts(roc.axes[0])[0].startswith("model, positive class >50K (AUC")
    gain = plots.lift_gain([0, 0.5, 1], [0, 0.8, 1], positive=">50K")
    assert gain.axes[0].get_ylabel() == "share of >50K found"
    scaled = plots.complexity_curve({**COMPLEXITY, "loss_units": "standardised target units"})
    assert scaled.axes[0].get_ylabel() == "error (loss in standardised target units)"
    matrix = plots.confusion_matrix([[3, 1], [0, 4]], labels=[False, True])
    assert [t.get_text() for t in matrix.axes[0].get_xticklabels()] == ["False", "True"]


def test_architecture_reads_the_public_structure(trained):
    net = trained[0]
    assert net.parameter_counts() == [12, 10] and net.widths == [2, 4, 2]
    assert "22 parameters" in text_of(plots.architecture(net))
