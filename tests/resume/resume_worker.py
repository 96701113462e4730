"""A fit that can be killed and resumed: ``python resume_worker.py CHECKPOINT_DIR OUT.npz``.

Trains a small regression network (dropout, shuffling, a validation split, Adam, early
stopping with restored best weights, ReduceLROnPlateau) with ``mk.callbacks.Checkpoint``;
prints ``epoch <i>`` after each epoch and, when the fit ends, writes the final weights and
the History to OUT.npz.
"""

import sys

import numpy as np

import mlpkit as mk


class Say(mk.callbacks.Callback):
    """Print each finished epoch, so the parent knows the fit is under way."""

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch}", flush=True)


def main(directory: str, out: str) -> None:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 8))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.3 * rng.normal(size=3000)
    net = mk.Sequential(
        [
            mk.layers.Dense(32, activation="relu"),
            mk.layers.Dropout(0.2),
            mk.layers.Dense(1),
        ],
        random_state=11,
    )
    callbacks = [
        mk.callbacks.EarlyStopping(patience=4, restore_best_weights=True),
        mk.callbacks.ReduceLROnPlateau(patience=1, factor=0.5),
        mk.callbacks.Checkpoint(directory),
        Say(),
    ]
    print("ready", flush=True)
    history = net.fit(
        X,
        y,
        loss="mse",
        optimizer=mk.optim.Adam(learning_rate=0.01),
        epochs=int(sys.argv[3]) if len(sys.argv) > 3 else 200,
        batch_size=16,
        validation_split=0.25,
        callbacks=callbacks,
    )
    np.savez(
        out,
        params=net.params,
        val_loss=np.array(history.history["val_loss"]),
        epochs=np.array(history.epoch),
        reason=np.array(history.stop_reason),
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
