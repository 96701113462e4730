"""``mlpkit demo``: the real workflow on data shipped with mlpkit — ``mlpkit train`` on the run
configuration shipped for the AI4I 2020 machine-failure data.

The demo writes that configuration (``init-config --example``) to ``mlpkit-demo/run.toml`` and
trains it: the model, the HTML report, the held-out predictions and the ledger all go under
``mlpkit-demo/``, the demo's own folder, whose files are rewritten on each run (the ledger keeps
every run). ``mlpkit train mlpkit-demo/run.toml --force`` then does exactly the same again.
"""

from __future__ import annotations

from argparse import Namespace

from .conventions import OK, command, output_folder
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
    parser.set_defaults(handler=demo)


def demo(args, console) -> int:
    """Write the shipped run configuration into the demo's folder, then ``train`` it there."""
    folder = output_folder(args.out)
    config = folder / "run.toml"
    config.write_text(example_config(), encoding="utf-8")
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
