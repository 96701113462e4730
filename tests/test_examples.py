"""The examples listed in the README run end to end (on few epochs here)."""

from scripts import load_script


def run(name, *argv):
    return load_script(f"examples/{name}.py").main(list(argv))


def test_housing_example_goes_from_csv_to_dollar_predictions():
    mae = run("housing", "--epochs", "3")
    assert 10_000 < mae < 120_000


def test_sp500_example_trains_on_the_past_and_tests_on_the_latest_period():
    scores = run("sp500_returns", "--epochs", "2")
    assert 0.3 < scores["direction accuracy"] < 0.7
