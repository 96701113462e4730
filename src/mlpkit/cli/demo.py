"""``mlpkit demo``: the real workflow on data shipped with mlpkit — ``mlpkit train`` on the run
configuration shipped for the AI4I 2020 machine-failure data.

The demo writes that configuration (``init-config --example``) to ``mlpkit-demo/run.toml`` and
trains it: the model, the HTML report, the held-out predictions and the ledger all go under
``mlpkit-demo/``, the demo's own folder, whose outputs are rewritten on each run (the ledger keeps
every run). ``mlpkit train mlpkit-demo/run.toml --force`` then does exactly the same again. A
``run.toml`` you edited is yours: the demo refuses to replace it (train it with ``mlpkit train
mlpkit-demo/run.toml --force``), unless ``--force`` asks for the shipped one back.
"""

from __future__ import annotations

import re
from argparse import Namespace
from pathlib import Path

from .conventions import OK, USAGE, CommandError, command, output_folder
from .training import train
from .workflow import example_config

#: The demo's own folder: its run file and every output, rewritten on each run.
DEMO_DIR = "mlpkit-demo"


def register(commands) -> None:
    example = "mlpkit demo\nmlpkit demo --epochs 50 --out /tmp/demo"
    parser = command(
        commands,
        "demo",
        "train on the shipped machine-failure data with the shipped run configuration",
        __doc__.split("\n\n", 1)[1].replace("``", "'"),
        example,
    )
    parser.add_argument(
        "--epochs", type=int, help="most training epochs (model.max_iter; default 200)"
    )
    parser.add_argument("--seed", type=int, help="the split's and the model's seed (default 0)")
    parser.add_argument(
        "--out",
        default=DEMO_DIR,
        metavar="DIR",
        help=f"the demo's folder, its files rewritten on each run (default {DEMO_DIR})",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an edited run.toml with the shipped one (default: refuse)",
    )
    parser.set_defaults(handler=demo)


def demo(args, console) -> int:
    """Write the shipped run configuration into the demo's folder (unless the one there was
    edited, and not ``--force``), then ``train`` it there."""
    shipped = example_config()
    config = Path(args.out) / "run.toml"
    if not args.force and edited(config, shipped):
        raise CommandError(refusal(config, args.out), USAGE)
    config = output_folder(args.out) / "run.toml"
    config.write_text(shipped, encoding="utf-8")
    console.note(
        "AI4I 2020 predictive maintenance: will a milling machine fail? Failures are rare, "
        "so an accuracy means little beside the baseline's; read precision, recall and AUC "
        "(the failure-mode columns are dropped: they leak the label)."
    )
    console.note(f"mlpkit train {config} --force   (the run file shipped with mlpkit)")
    overrides = []
    if args.epochs is not None:
        overrides.append(f"model.max_iter={args.epochs}")
    if args.seed is not None:
        overrides += [f"data.random_state={args.seed}", f"model.random_state={args.seed}"]
    train(Namespace(config=str(config), set=overrides, force=True), console)
    console.note(f"next: edit {config} and run: mlpkit train {config} --force")
    return OK


#: The shipped file's data path line (the table's place where mlpkit is installed).
DATA_PATH = re.compile(r'^path = ".*ai4i2020\.csv"$', re.M)


def edited(config: Path, shipped: str) -> bool:
    """Whether ``config`` is there and differs from the ``shipped`` run configuration (its data
    path aside, which moves with mlpkit's installation)."""
    if not config.is_file():
        return False
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    return DATA_PATH.sub("", text) != DATA_PATH.sub("", shipped)


def refusal(config: Path, out: str) -> str:
    """Why the demo leaves an edited ``config`` alone, and the two ways on."""
    again = "mlpkit demo --force" + ("" if out == DEMO_DIR else f" --out {out}")
    return (
        f"{config} was edited (it differs from the run configuration shipped with mlpkit), so "
        f"the demo leaves it as it is. To train your version: mlpkit train {config} --force; "
        f"to get the shipped demo back: {again} (replaces {config})."
    )
