"""Search spaces: sampling, conditional entries, grids, canonical form, hashing, config files."""

import hashlib
import json
import math
import os
import subprocess
import sys
import tomllib

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.exceptions import ConfigError
from mlpkit.search.space import (
    Choice,
    IntUniform,
    Layers,
    LogUniform,
    Space,
    Uniform,
    canonical_json,
)


def rich_space():
    return Space(
        {
            "alpha": LogUniform(1e-6, 1e-2),
            "hidden_layer_sizes": Choice([(32,), (64, 32)]),
            "layers": Layers(depth=IntUniform(1, 3), width=IntUniform(16, 256, log=True)),
            "optimizer": Choice(
                [{"solver": "adam"}, {"solver": "sgd", "momentum": Uniform(0.5, 0.99)}]
            ),
            "max_iter": 100,
        }
    )


def draws(space, seed, n):
    rng = np.random.default_rng(seed)
    return [space.sample(rng) for _ in range(n)]


# --- distributions ---------------------------------------------------------------------------


def test_uniform_and_log_uniform_draw_floats_in_range_with_the_right_centre():
    rng = np.random.default_rng(0)
    flat = np.array([Uniform(-2.0, 6.0).sample(rng) for _ in range(4000)])
    logs = np.array([LogUniform(1e-6, 1e-2).sample(rng) for _ in range(4000)])
    assert flat.min() >= -2 and flat.max() <= 6 and abs(flat.mean() - 2.0) < 0.1
    assert logs.min() >= 1e-6 and logs.max() <= 1e-2
    assert abs(np.median(np.log10(logs)) + 4.0) < 0.1  # the geometric centre, 1e-4
    assert all(type(v) is float for v in logs[:5].tolist())


def test_int_uniform_covers_both_bounds_and_log_scale_favours_small_values():
    rng = np.random.default_rng(1)
    ints = [IntUniform(1, 4).sample(rng) for _ in range(2000)]
    assert set(ints) == {1, 2, 3, 4} and all(type(v) is int for v in ints)
    assert all(abs(ints.count(k) / 2000 - 0.25) < 0.04 for k in range(1, 5))
    logs = np.array([IntUniform(16, 256, log=True).sample(rng) for _ in range(4000)])
    assert logs.min() == 16 and logs.max() <= 256
    assert abs(np.median(logs) - math.sqrt(16 * 257)) < 6  # geometric centre ~64, not 136


def test_choice_draws_every_option_and_keeps_tuples():
    rng = np.random.default_rng(2)
    choice = Choice([[32], (64, 32), "auto"])
    assert choice.values == ((32,), (64, 32), "auto")  # lists are stored as tuples
    seen = {choice.sample(rng) for _ in range(200)}
    assert seen == {(32,), (64, 32), "auto"}


def test_unit_encoding_maps_bounds_to_0_and_1_and_choices_one_hot():
    assert Uniform(-1.0, 3.0).unit(-1.0) == [0.0] and Uniform(-1.0, 3.0).unit(3.0) == [1.0]
    assert LogUniform(1e-4, 1.0).unit(1e-2) == pytest.approx([0.5])
    assert IntUniform(0, 3).unit(0) == [0.125] and IntUniform(0, 3).unit(3) == [0.875]
    assert Choice(["a", "b", "c"]).unit("b") == [0.0, 1.0, 0.0]
    for u in (0.0, 0.3, 0.999):
        dist = IntUniform(16, 256, log=True)
        assert dist.from_unit(dist.unit(dist.from_unit(u))[0]) == dist.from_unit(u)


# --- spaces, conditional entries -------------------------------------------------------------


def test_same_rng_seed_gives_the_same_configurations():
    assert draws(rich_space(), 3, 20) == draws(rich_space(), 3, 20)
    assert draws(rich_space(), 3, 20) != draws(rich_space(), 4, 20)


def test_layers_widths_beyond_the_depth_are_absent_and_assemble_makes_a_tuple():
    space = Space({"hidden_layer_sizes": Layers(depth=IntUniform(1, 3), width=IntUniform(8, 64))})
    configs = draws(space, 0, 60)
    depths = {c["hidden_layer_sizes.depth"] for c in configs}
    assert depths == {1, 2, 3}
    for config in configs:
        depth = config["hidden_layer_sizes.depth"]
        widths = [config.get(f"hidden_layer_sizes.width_{k}") for k in (1, 2, 3)]
        assert all(w is not None for w in widths[:depth])
        assert all(w is None for w in widths[depth:])  # e.g. width_3 absent when depth = 2
        params = space.assemble(config)
        assert params == {"hidden_layer_sizes": tuple(widths[:depth])}
        assert all(8 <= w <= 64 for w in params["hidden_layer_sizes"])


def test_a_branch_entry_is_active_only_when_its_option_is_chosen():
    configs = draws(rich_space(), 5, 40)
    assert {c["optimizer"] for c in configs} == {0, 1}
    for config in configs:
        assert ("momentum" in config) == (config["optimizer"] == 1)
        assert config["solver"] == ["adam", "sgd"][config["optimizer"]]
        params = rich_space().assemble(config)
        assert "optimizer" not in params  # the branch index is not an estimator parameter
        assert params["solver"] == config["solver"] and params["max_iter"] == 100


def test_options_of_one_choice_may_reuse_a_name_with_different_ranges():
    space = Space(
        {
            "opt": Choice(
                [
                    {"solver": "adam", "learning_rate_init": LogUniform(1e-4, 1e-2)},
                    {"solver": "sgd", "learning_rate_init": LogUniform(1e-2, 1.0)},
                ]
            )
        }
    )
    for config in draws(space, 0, 30):
        low = 1e-4 if config["opt"] == 0 else 1e-2
        assert low <= config["learning_rate_init"] <= 100 * low
    paths = [dim.path for dim in space.dimensions()]
    assert paths == ["opt", "opt[0]/learning_rate_init", "opt[1]/learning_rate_init"]


def test_fixed_values_pass_through_every_configuration():
    space = Space({"alpha": Uniform(0.0, 1.0), "max_iter": 50, "shuffle": False})
    config = space.sample(np.random.default_rng(0))
    assert config["max_iter"] == 50 and config["shuffle"] is False
    assert space.assemble(config) == config
    assert [c["max_iter"] for c in Space({"a": Choice([1, 2]), "max_iter": 50}).grid()] == [50, 50]


def test_a_space_copies_a_space_and_compares_by_its_entries():
    assert Space(rich_space()) == rich_space()
    assert Space({"a": Uniform(0, 1)}) != Space({"a": Uniform(0, 2)})


def test_encode_places_a_configuration_in_the_unit_cube_with_inactive_coordinates_zero():
    space = rich_space()
    n_units = 1 + 2 + 1 + 3 + 2 + 1  # alpha, hidden choice, depth, 3 widths, branch, momentum
    for config in draws(space, 6, 20):
        code = space.encode(config)
        assert code.shape == (n_units,) and np.all((code >= 0) & (code <= 1))
        depth = config["layers.depth"]
        assert np.all(code[4 + depth : 7] == 0) and np.all(code[4 : 4 + depth] > 0)
        assert (code[-1] > 0) == ("momentum" in config)


def test_walk_asks_for_dimensions_in_the_order_written():
    asked = []

    def choose(dim):
        asked.append(dim.name)
        dist = dim.distribution
        return dist.grid(dim.name)[-1] if isinstance(dist, (Choice, IntUniform)) else dist.high

    config = rich_space().walk(choose)
    assert asked == [
        "alpha", "hidden_layer_sizes", "layers.depth", "layers.width_1", "layers.width_2",
        "layers.width_3", "optimizer", "momentum",
    ]  # fmt: skip
    assert rich_space().assemble(config)["layers"] == (256, 256, 256)


# --- grid ------------------------------------------------------------------------------------


def test_grid_is_exhaustive_in_the_order_written_first_name_slowest():
    space = Space({"a": Choice(["x", "y"]), "b": IntUniform(1, 3), "c": 7})
    assert space.grid() == [
        {"a": a, "b": b, "c": 7} for a in ("x", "y") for b in (1, 2, 3)
    ]  # fmt: skip


def test_grid_enumerates_layers_depth_by_depth_and_branches_option_by_option():
    layers = Space({"h": Layers(depth=IntUniform(1, 2), width=Choice([8, 16]))})
    assert layers.grid() == [
        {"h.depth": 1, "h.width_1": 8},
        {"h.depth": 1, "h.width_1": 16},
        {"h.depth": 2, "h.width_1": 8, "h.width_2": 8},
        {"h.depth": 2, "h.width_1": 8, "h.width_2": 16},
        {"h.depth": 2, "h.width_1": 16, "h.width_2": 8},
        {"h.depth": 2, "h.width_1": 16, "h.width_2": 16},
    ]
    branches = Space({"o": Choice([{"s": "adam"}, {"s": "sgd", "m": Choice([0.5, 0.9])}])})
    assert branches.grid() == [
        {"o": 0, "s": "adam"},
        {"o": 1, "s": "sgd", "m": 0.5},
        {"o": 1, "s": "sgd", "m": 0.9},
    ]
    assert len({rich_grid_hash(branches, c) for c in branches.grid()}) == 3


def rich_grid_hash(space, config):
    return space.hash(config)


def test_grid_over_a_continuous_range_names_it_and_suggests_choice():
    with pytest.raises(ConfigError, match=r"alpha=LogUniform.*continuous.*Choice\(\[\.\.\.\]\)"):
        Space({"n": IntUniform(1, 3), "alpha": LogUniform(1e-6, 1e-2)}).grid()
    with pytest.raises(ConfigError, match=r"momentum=Uniform.*continuous"):
        Space({"o": Choice([{"momentum": Uniform(0.5, 0.9)}])}).grid()


def test_grid_refuses_a_huge_int_range_and_a_huge_product():
    with pytest.raises(ConfigError, match=r"n=IntUniform.*1001 values.*Choice"):
        Space({"n": IntUniform(0, 1000)}).grid()
    with pytest.raises(ConfigError, match=r"1000000 configurations.*strategy='random'"):
        Space({"a": IntUniform(1, 1000), "b": IntUniform(1, 1000)}).grid()
    with pytest.raises(ConfigError, match=r"h.*configurations"):
        Space({"h": Layers(depth=IntUniform(1, 3), width=IntUniform(1, 100))}).grid()


# --- canonical form and hash -----------------------------------------------------------------


def test_canonical_sorts_keys_types_values_through_the_space_and_writes_tuples_as_lists():
    space = Space({"b": Uniform(0.0, 2.0), "a": IntUniform(1, 5), "h": Choice([(32,), (64, 32)])})
    text = space.canonical({"b": 1, "a": 3, "h": [64, 32]})
    assert text == '{"a":3,"b":1.0,"h":[64,32]}'
    assert space.canonical({"h": (64, 32), "a": 3, "b": 1.0}) == text
    assert space.hash({"b": 1, "a": 3, "h": [64, 32]}) == space.hash(
        {"b": 1.0, "a": 3, "h": (64, 32)}
    )
    assert space.hash({"b": 1.0, "a": 3, "h": (32,)}) != space.hash(
        {"b": 1.0, "a": 3, "h": (64, 32)}
    )


def test_canonical_json_keeps_int_and_float_apart_and_floats_round_trip():
    assert canonical_json({"x": 1}) != canonical_json({"x": 1.0})
    assert canonical_json({"x": (1, 2)}) == canonical_json({"x": [1, 2]}) == '{"x":[1,2]}'
    value = 0.1 + 0.2
    assert json.loads(canonical_json({"x": value}))["x"] == value  # repr: exact round trip
    assert canonical_json({"x": np.float64(-0.0), "y": np.int64(3)}) == '{"x":0.0,"y":3}'


def test_hash_is_sha256_of_the_canonical_form_and_the_same_in_a_fresh_process():
    space = rich_space()
    config = space.sample(np.random.default_rng(11))
    expected = hashlib.sha256(space.canonical(config).encode()).hexdigest()[:16]
    assert space.hash(config) == expected and len(expected) == 16
    fixed = {"alpha": 0.001, "hidden_layer_sizes": [32], "layers.depth": 1, "layers.width_1": 16}
    fixed |= {"optimizer": 0, "solver": "adam", "max_iter": 100}
    assert (
        space.hash(fixed)
        == hashlib.sha256(
            b'{"alpha":0.001,"hidden_layer_sizes":[32],"layers.depth":1,"layers.width_1":16,'
            b'"max_iter":100,"optimizer":0,"solver":"adam"}'
        ).hexdigest()[:16]
    )
    code = (
        "import json, numpy as np\n"
        "from tests.search.test_space import rich_space\n"
        "space = rich_space()\n"
        "configs = [space.sample(np.random.default_rng(11)) for _ in range(1)]\n"
        "print(json.dumps([space.hash(c) for c in configs] + [space.canonical(configs[0])]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=_root(),
    )  # fmt: skip
    assert json.loads(out.stdout) == [space.hash(config), space.canonical(config)]


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


# --- config-file form ------------------------------------------------------------------------


TOML = """
alpha = {log_uniform = [1e-6, 1e-2]}
dropout = {uniform = [0.0, 0.5]}
batch_size = {int_uniform = [16, 256], log = true}
hidden_layer_sizes = {choice = [[32], [64, 32]]}
optimizer = {choice = [{solver = "adam"}, {solver = "sgd", momentum = {uniform = [0.5, 0.99]}}]}
class_weight = {fixed = {balanced = 1}}
max_iter = 100

[layers.layers]
depth = {int_uniform = [1, 3]}
width = {int_uniform = [16, 256], log = true}
"""


def test_the_config_file_form_reads_toml_and_round_trips():
    space = Space.from_config(tomllib.loads(TOML))
    assert space.mapping["alpha"] == LogUniform(1e-6, 1e-2)
    assert space.mapping["batch_size"] == IntUniform(16, 256, log=True)
    assert space.mapping["hidden_layer_sizes"] == Choice([(32,), (64, 32)])
    assert space.mapping["layers"] == Layers(IntUniform(1, 3), IntUniform(16, 256, log=True))
    assert space.mapping["class_weight"] == {"balanced": 1} and space.mapping["max_iter"] == 100
    assert Space.from_config(space.to_config()) == space
    assert json.loads(json.dumps(space.to_config())) == space.to_config()  # plain JSON types
    assert draws(Space.from_config(space.to_config()), 0, 10) == draws(space, 0, 10)


def test_to_config_writes_the_documented_form():
    assert rich_space().to_config() == {
        "alpha": {"log_uniform": [1e-6, 1e-2]},
        "hidden_layer_sizes": {"choice": [[32], [64, 32]]},
        "layers": {
            "layers": {
                "depth": {"int_uniform": [1, 3]},
                "width": {"int_uniform": [16, 256], "log": True},
            }
        },
        "optimizer": {
            "choice": [{"solver": "adam"}, {"solver": "sgd", "momentum": {"uniform": [0.5, 0.99]}}]
        },
        "max_iter": 100,
    }


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"alpha": {"loguniform": [1e-6, 1e-2]}}, r"'alpha'.*unknown key\(s\) \['loguniform'\]"),
        ({"alpha": {"uniform": [0, 1], "log": True}}, r"unknown key\(s\) \['log'\]"),
        ({"alpha": {"uniform": [0, 1], "choice": [1]}}, r"2 distribution keys"),
        ({"alpha": {}}, r"0 distribution keys.*choice, fixed, int_uniform"),
        ({"alpha": {"uniform": [0, 1, 2]}}, r"'alpha': uniform takes \[low, high\]"),
        ({"alpha": {"log_uniform": [0, 1]}}, r"'alpha': LogUniform needs 0 < low"),
        ({"h": {"layers": {"depth": 2, "widths": 8}}}, r"'h': layers takes a table of depth"),
        ({"o": {"choice": [{"m": {"uniform": [1, 0]}}]}}, r"'o': .*'m': Uniform needs low < high"),
        ({"o": {"choice": "abc"}}, r"'o': Choice values must be a list"),
        ([1, 2], r"must be a table"),
    ],
)
def test_config_file_errors_name_the_entry_and_list_the_known_keys(form, message):
    with pytest.raises(ConfigError, match=message):
        Space.from_config(form)


# --- validation against the model ------------------------------------------------------------


def test_validate_accepts_estimator_parameters_and_names_an_unknown_one_with_close_matches():
    space = Space({"learning_rate_int": LogUniform(1e-4, 1e-1), "layers": Layers()})
    with pytest.raises(ConfigError, match=r"'layers' is not a parameter of MLPClassifier"):
        Space({"layers": Layers()}).validate(mk.MLPClassifier())
    with pytest.raises(
        ConfigError, match=r"'learning_rate_int'.*Did you mean 'learning_rate_init'"
    ):
        space.validate(mk.MLPClassifier())
    rich_space().validate(
        names=["alpha", "hidden_layer_sizes", "layers", "solver", "momentum", "max_iter"]
    )
    Space({"hidden_layer_sizes": Layers(), "alpha": Uniform(0, 1)}).validate(mk.MLPClassifier())
    with pytest.raises(ConfigError, match=r"'momentum' is not a parameter of the model function"):
        rich_space().validate(names=["alpha", "hidden_layer_sizes", "layers", "solver", "max_iter"])
    with pytest.raises(ConfigError, match=r"needs an estimator or names="):
        rich_space().validate()


# --- every error message ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Uniform(1.0, 0.5),
            r"Uniform needs low < high; received low=1.0, high=0.5\. Use a fixed",
        ),
        (
            lambda: Uniform(0.0, math.inf),
            r"Uniform high must be a finite number; received high=inf",
        ),
        (lambda: LogUniform(0.0, 1.0), r"LogUniform needs 0 < low .*received low=0.0.*Uniform"),
        (
            lambda: IntUniform(3, 3),
            r"IntUniform needs low < high; received low=3, high=3.*fixed int",
        ),
        (lambda: IntUniform(1.5, 3), r"IntUniform low must be an integer; received low=1.5"),
        (lambda: IntUniform(0, 8, log=True), r"log=True needs 0 < low; received low=0"),
        (lambda: IntUniform(1, 8, log="yes"), r"IntUniform log must be True or False"),
        (lambda: Choice([]), r"Choice values must hold at least one option; received values=\[\]"),
        (
            lambda: Choice("relu"),
            r"Choice values must be a list of options; received values='relu'",
        ),
        (lambda: Choice([1, 2, 1]), r"Choice options must be distinct; received 1 more than once"),
        (lambda: Choice([{"solver": "sgd"}, "adam"]), r"all dicts \(branches\) or none"),
        (lambda: Choice([object()]), r"Choice option must be a plain value"),
        (lambda: Layers(depth=0), r"Layers depth must be .* >= 1; received depth=0"),
        (lambda: Layers(width=Uniform(1, 9)), r"Layers width must be an IntUniform.*width=Uniform"),
        (lambda: Space({"a.b": 1}), r"names must be non-empty strings without '\.'.*'a\.b'"),
        (lambda: Space([("a", 1)]), r"Space needs a dict of name"),
        (lambda: Space({"f": print}), r"Space entry 'f' must be a plain value"),
        (
            lambda: Space({"momentum": Uniform(0, 1), "o": Choice([{"momentum": 0.9}])}),
            r"'momentum' comes from both 'momentum' and 'o'.*Rename",
        ),
    ],
)
def test_bad_distributions_and_spaces_raise_config_errors_that_say_what_to_do(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"a": 2}, r"lacks 'b', which the space makes active"),
        ({"a": 2, "b": "x", "z": 1}, r"names \['z'\] are not active in this space"),
        ({"a": 9, "b": "x"}, r"a=9 is outside IntUniform.*\[1, 5\]"),
        ({"a": 2.0, "b": "x"}, r"a=2.0 is not an integer"),
        ({"a": 2, "b": "w"}, r"b='w' is not an option of Choice\(\['x', 'y'\]\)"),
        ({"a": 2, "b": "x", "u": 3.5}, r"not active"),
        ("a=2", r"must be a dict"),
    ],
)
def test_a_configuration_outside_the_space_is_refused_by_name(config, message):
    space = Space({"a": IntUniform(1, 5), "b": Choice(["x", "y"])})
    with pytest.raises(ConfigError, match=message):
        space.canonical(config)


def test_a_uniform_value_outside_its_range_is_refused():
    with pytest.raises(ConfigError, match=r"u=3.5 is outside Uniform\(low=0.0, high=1.0\)"):
        Space({"u": Uniform(0, 1)}).assemble({"u": 3.5})
    with pytest.raises(ConfigError, match=r"optimizer=2 is not an option.*0 \.\. 1"):
        rich_space().assemble({**rich_space().sample(np.random.default_rng(0)), "optimizer": 2})
