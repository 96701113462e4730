"""The text side of TOML: every key's line is found, syntax errors are located, values are
written back so that tomllib reads them equal, and --set values are TOML or strings."""

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpkit.config.toml_text import format_value, locate, parse_override, syntax_error

TEXT = """\
# a comment with = and [brackets]
[data]
path = "a#b.csv"  # a '#' inside a string
"quoted key" = 1
[model]
alpha = 1e-3
layers = [
  {class = "Dense", units = 3},  # first
  # a comment between elements
  {class = "Dense", units = 1, activation = {name = "leaky_relu", negative_slope = 0.1}},
]
note = \"\"\"two
lines = 3\"\"\"
after = 'x'
[search.space]
alpha = {log_uniform = [1e-6, 1e-2]}
dotted.key = 2
[[runs]]
a = 1
[[runs]]
a = 2
"""


def test_every_header_key_and_element_has_its_line():
    tomllib.loads(TEXT)
    lines = locate(TEXT)
    assert lines[("data",)] == 2 and lines[("data", "path")] == 3
    assert lines[("data", "quoted key")] == 4
    assert lines[("model", "alpha")] == 6 and lines[("model", "layers")] == 7
    assert lines[("model", "layers", 0)] == 8 and lines[("model", "layers", 1)] == 10
    assert lines[("model", "layers", 1, "activation", "negative_slope")] == 10
    assert lines[("model", "note")] == 12 and lines[("model", "after")] == 14
    assert lines[("search", "space", "alpha")] == 16
    assert lines[("search", "space", "dotted", "key")] == 17
    assert lines[("runs", 1, "a")] == 21


@pytest.mark.parametrize(
    "text, line",
    [('a = 1\nb = "open\n', 2), ("[x]\ny = 1 2\n", 2), ("a = [1,\n", 2), ("a = 1\na = 2\n", 2)],
)
def test_a_syntax_error_is_located_on_its_line(text, line):
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    found, message = syntax_error(caught.value, text)
    assert found == line and "(at line" not in message


scalars = st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(values)
def test_written_values_read_back_equal(value):
    assert tomllib.loads(f"v = {format_value(value, multiline=True)}")["v"] == value


def test_none_is_written_as_the_string_none_and_left_out_of_tables():
    assert format_value(None) == '"none"'
    assert format_value({"a": 1, "b": None}) == "{a = 1}"
    assert format_value((1, 2)) == "[1, 2]"


@pytest.mark.parametrize(
    "text, keys, value",
    [
        ("model.alpha=1e-3", ["model", "alpha"], 1e-3),
        ("model.hidden_layer_sizes=[64, 32]", ["model", "hidden_layer_sizes"], [64, 32]),
        ("model.solver=sgd", ["model", "solver"], "sgd"),
        ("model.early_stopping=true", ["model", "early_stopping"], True),
        ("training.optimizer={name = 'adam'}", ["training", "optimizer"], {"name": "adam"}),
        ("data.path=data/train v2.csv", ["data", "path"], "data/train v2.csv"),
        ("output.dir=", ["output", "dir"], ""),
    ],
)
def test_overrides_are_toml_values_or_else_strings(text, keys, value):
    assert parse_override(text) == (keys, value)


@pytest.mark.parametrize("text", ["model.alpha", "=1", "model..alpha=1", "model alpha=1"])
def test_a_malformed_override_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="section.key=value"):
        parse_override(text)
