"""[search] and [search.space] become an mk.search.Search of the [model] estimator, checked
against the estimator's parameters and the strategy before any data is read."""

import pytest

import mlpkit as mk
from mlpkit.config import ConfigFileError, load_config

SEARCH = (
    'DATA\n[model]\nhidden_layer_sizes = [4]\nmax_iter = 3\npreprocessor = "auto"\n'
    '[search]\nstrategy = "random"\nn_trials = 2\ncv = 2\nrandom_state = 1\n'
    "[search.space]\nalpha = {log_uniform = [1e-6, 1e-2]}\n"
    "hidden_layer_sizes = {choice = [[4], [8]]}\n"
    '[ledger]\nurl = "runs.sqlite"\n'
)


def test_a_configured_search_runs_and_records_in_the_ledger(write, tmp_path):
    config = load_config(write(SEARCH))
    X, y = config.read_data()
    search = config.build_search(config.build_model())
    assert isinstance(search, mk.search.Search)
    assert (search.strategy, search.n_trials, search.cv, search.random_state) == ("random", 2, 2, 1)
    assert search.ledger == str(tmp_path / "runs.sqlite")
    result = search.fit(X, y)
    assert result.n_trials_["complete"] == 2 and set(result.best_params_) == {
        "alpha",
        "hidden_layer_sizes",
    }
    assert (tmp_path / "runs.sqlite").exists()


def test_points_to_evaluate_from_the_file_are_the_first_trials(write, tmp_path):
    text = SEARCH.replace(
        "[search.space]",
        "points_to_evaluate = [{alpha = 0.001, hidden_layer_sizes = [8]}]\n[search.space]",
    )
    config = load_config(write(text))
    X, y = config.read_data()
    result = config.build_search(config.build_model()).fit(X, y)
    first = result.trials_.sort_values("number").iloc[0]
    assert first["param.alpha"] == 0.001 and tuple(first["param.hidden_layer_sizes"]) == (8,)
    assert "{alpha = 0.001, hidden_layer_sizes = [8]}" in config.resolved_text()


def test_a_search_without_a_space_says_what_to_add(write):
    config = load_config(write("DATA\n[search]\nn_trials = 3\n"))
    with pytest.raises(ConfigFileError, match="search.space: nothing to search"):
        config.build_search(mk.MLPClassifier())


def test_a_grid_over_a_continuous_range_is_refused_at_the_strategy(write):
    path = write(SEARCH.replace('"random"', '"grid"'))
    with pytest.raises(ConfigFileError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f'{path}:10: search.strategy = "grid": A grid cannot')


def test_a_search_over_an_explicit_network_is_refused(write):
    path = write("DATA\n[model]\nlayers = [{class = 'Dense', units = 1}]\n"
                 "[search.space]\nalpha = {uniform = [0.0, 1.0]}\n")  # fmt: skip
    with pytest.raises(ConfigFileError, match=r"run.toml:7: search.space: a search sets estimator"):
        load_config(path)


def test_branches_of_a_choice_are_checked_against_the_estimator(write):
    path = write(
        "DATA\n[search.space]\n"
        "optimizer = {choice = [{solver = 'adam'}, {solver = 'sgd', momentun = 0.9}]}\n"
    )
    with pytest.raises(ConfigFileError, match="'momentun' is not a parameter.*'momentum'"):
        load_config(path)
