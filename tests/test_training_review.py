"""Review of training control: a resumed fit must be the fit it resumes, resume errors that
teach, and callbacks that never replace a file that was there before the fit."""

import os
import warnings

import numpy as np
import pytest

import mlpkit as mk


class Interrupt(mk.callbacks.Callback):
    """Raise KeyboardInterrupt at the end of epoch ``epoch`` (from 0), as a kill would."""

    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    return X, X[:, 0] - X[:, 1]


def _net(random_state=0):
    layers = [mk.layers.Dense(6, activation="relu"), mk.layers.Dense(1)]
    return mk.Sequential(layers, random_state=random_state)


def _settings(**changes):
    settings = dict(loss="mse", optimizer=mk.optim.Adam(0.01), epochs=6)
    settings.update(changes)
    return settings


@pytest.fixture
def interrupted(tmp_path):
    """The folder of a fit interrupted after its third epoch."""
    X, y = _data()
    folder = tmp_path / "s"
    with pytest.raises(KeyboardInterrupt):
        _net().fit(X, y, **_settings(), checkpoint=folder, callbacks=[Interrupt()])
    return folder


@pytest.mark.parametrize(
    "change, named",
    [
        (dict(optimizer=mk.optim.SGD(0.01)), "optimizer: {'name': 'adam'"),
        (dict(optimizer=mk.optim.SGD(0.01, momentum=0.9)), "optimizer: {'name': 'adam'"),
        (dict(optimizer=mk.optim.Adam(0.02)), "optimizer.learning_rate: 0.01 in the checkpoint"),
        (dict(loss="mae"), "loss: {'name': 'mse'} in the checkpoint, {'name': 'mae'} now"),
        (dict(batch_size=16), "batch_size: 32 in the checkpoint, 16 now"),
        (dict(epochs=10), "epochs: 6 in the checkpoint, 10 now"),
        (dict(shuffle=False), "shuffle: True in the checkpoint, False now"),
        (dict(X=2.0), r"data.X: other values"),
        (dict(rows=100), r"data.X.shape: \[120, 4\] in the checkpoint, \[100, 4\] now"),
        (dict(random_state=1), "network.random_state: 0 in the checkpoint, 1 now"),
    ],
)
def test_resuming_a_fit_called_otherwise_is_refused_naming_what_differs(interrupted, change, named):
    X, y = _data()
    change = dict(change)
    X = X * change.pop("X", 1.0)
    rows = change.pop("rows", len(X))
    net = _net(change.pop("random_state", 0))
    with pytest.raises(mk.ConfigError, match=named) as error:
        net.fit(
            X[:rows], y[:rows], **_settings(**change), resume=interrupted, callbacks=[Interrupt(99)]
        )
    assert "Cannot resume the checkpoint" in str(error.value)
    assert net.epochs_trained == 0  # refused before anything was restored


def test_resuming_as_the_interrupted_fit_was_runs_the_epochs_left(interrupted):
    X, y = _data()
    whole = _net()
    whole.fit(X, y, **_settings())
    net = _net()
    history = net.fit(X, y, **_settings(), resume=interrupted, callbacks=[Interrupt(99)])
    np.testing.assert_array_equal(net.params, whole.params)
    assert history.resumed_at == 2 and len(history.epoch) == 6


def test_other_callbacks_are_named_by_class_on_both_sides(interrupted):
    X, y = _data()
    callbacks = [mk.callbacks.EarlyStopping(monitor="loss"), Interrupt(99)]
    with pytest.raises(
        mk.ConfigError,
        match=r"callbacks: \['Interrupt'\] in the checkpoint, \['EarlyStopping', 'Interrupt'\]",
    ):
        _net().fit(X, y, **_settings(), resume=interrupted, callbacks=callbacks)


def test_a_callback_count_mismatch_names_the_users_callbacks():
    from mlpkit.training.resume import set_callback_states

    now = [mk.callbacks.History(), mk.callbacks.EarlyStopping()]
    with pytest.raises(mk.ConfigError) as error:
        set_callback_states(now, [{}, {}, {}], ["History", "Interrupt", "ProgressLogger"])
    message = str(error.value)
    assert "['Interrupt']" in message and "['EarlyStopping']" in message
    assert "History" not in message and "ProgressLogger" not in message


def test_resume_from_a_missing_folder_warns_starts_afresh_and_checkpoints_there(tmp_path):
    X, y = _data()
    folder = tmp_path / "new"
    with pytest.warns(UserWarning, match="found no checkpoint .* starts from the beginning"):
        history = _net().fit(X, y, **_settings(), resume=folder)
    assert history.resumed_at is None and len(history.epoch) == 6
    assert (folder / "fit.mlpk").is_file()


def test_resume_from_an_empty_folder_warns_too(tmp_path):
    X, y = _data()
    with pytest.warns(UserWarning, match="found no checkpoint"):
        _net().fit(X, y, **_settings(epochs=1), resume=tmp_path)


def test_a_resumable_callback_starting_its_first_fit_does_not_warn(tmp_path):
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _net().fit(X, y, **_settings(epochs=1), callbacks=[mk.callbacks.Checkpoint(tmp_path)])


@pytest.mark.parametrize("keyword", ["resume", "checkpoint"])
def test_a_checkpoint_folder_that_is_a_file_is_a_clear_error(tmp_path, keyword):
    X, y = _data()
    path = tmp_path / "afile"
    path.write_text("mine")
    with pytest.raises(mk.ConfigError, match=r"'.*afile' is a file\. Pass .* a folder"):
        _net().fit(X, y, **_settings(epochs=1), **{keyword: path})
    assert path.read_text() == "mine"
    with pytest.raises(mk.ConfigError, match="lies under .*afile'?, a file"):
        _net().fit(X, y, **_settings(epochs=1), checkpoint=os.path.join(path, "sub"))


# -- callbacks never replace a file that was there before the fit --------------------------------
def test_csv_logger_refuses_a_file_there_before_the_fit_unless_asked(tmp_path):
    X, y = _data()
    path = tmp_path / "training.csv"
    _net().fit(X, y, **_settings(epochs=2), callbacks=[mk.callbacks.CSVLogger(path)])
    first = path.read_text()
    with pytest.raises(FileExistsError, match=r"training\.csv.*append=True.*overwrite=True"):
        _net().fit(X, y, **_settings(epochs=1), callbacks=[mk.callbacks.CSVLogger(path)])
    assert path.read_text() == first
    logger = mk.callbacks.CSVLogger(path, append=True)
    _net().fit(X, y, **_settings(epochs=1), callbacks=[logger])
    assert len(path.read_text().splitlines()) == 4
    logger = mk.callbacks.CSVLogger(path, overwrite=True)
    _net().fit(X, y, **_settings(epochs=1), callbacks=[logger])
    assert len(path.read_text().splitlines()) == 2


def test_csv_logger_creates_a_missing_folder_as_model_checkpoint_does(tmp_path):
    X, y = _data()
    path = tmp_path / "nodir" / "x.csv"
    _net().fit(X, y, **_settings(epochs=2), callbacks=[mk.callbacks.CSVLogger(path)])
    assert len(path.read_text().splitlines()) == 3


@pytest.mark.parametrize("cut_row", ["", "4,0.12"])
def test_a_resumed_csv_log_holds_each_epoch_once(tmp_path, cut_row):
    X, y = _data()
    path = tmp_path / "log.csv"
    with pytest.raises(KeyboardInterrupt):
        _net().fit(
            X,
            y,
            **_settings(),
            checkpoint=tmp_path / "s",
            callbacks=[mk.callbacks.CSVLogger(path), Interrupt()],
        )
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(cut_row)  # a row the kill cut short
    header = path.read_text().splitlines()[0]
    _net().fit(
        X,
        y,
        **_settings(),
        resume=tmp_path / "s",
        callbacks=[mk.callbacks.CSVLogger(path), Interrupt(99)],
    )
    lines = path.read_text().splitlines()
    assert lines[0] == header
    # epoch 3 was logged, then cut before its checkpoint: it ran again and is logged once
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2", "3", "4", "5", "6"]


def test_a_fresh_fit_refuses_another_fits_checkpoint_unless_overwrite(interrupted):
    X, y = _data()
    saved = (interrupted / "fit.mlpk").read_bytes()
    expected = r"fit\.mlpk exists; it is the checkpoint of another fit\. Pass resume="
    with pytest.raises(FileExistsError, match=expected + r".*overwrite=True"):
        _net(random_state=1).fit(X, y, **_settings(epochs=2), checkpoint=interrupted)
    assert (interrupted / "fit.mlpk").read_bytes() == saved
    replacing = mk.callbacks.Checkpoint(interrupted, resume=False, overwrite=True)
    history = _net(random_state=1).fit(X, y, **_settings(epochs=2), callbacks=[replacing])
    assert history.resumed_at is None and (interrupted / "fit.mlpk").read_bytes() != saved


def test_a_fresh_fit_replaces_its_own_checkpoint_every_epoch(tmp_path):
    X, y = _data()
    history = _net().fit(X, y, **_settings(epochs=3), checkpoint=tmp_path / "s")
    assert len(history.epoch) == 3 and (tmp_path / "s" / "fit.mlpk").is_file()


def test_model_checkpoint_refuses_files_there_before_the_fit_unless_overwrite(tmp_path):
    X, y = _data()
    fixed, pattern = tmp_path / "best.mlpk", str(tmp_path / "epoch-{epoch}.mlpk")
    fixed.write_text("mine")
    saver = mk.callbacks.ModelCheckpoint(fixed, monitor="loss", save_best_only=True)
    with pytest.raises(FileExistsError, match=r"best\.mlpk.*overwrite=True"):
        _net().fit(X, y, **_settings(epochs=2), callbacks=[saver])
    assert fixed.read_text() == "mine"
    (tmp_path / "epoch-2.mlpk").write_text("mine too")
    every = mk.callbacks.ModelCheckpoint(pattern)
    with pytest.raises(FileExistsError, match=r"epoch-2\.mlpk"):
        _net().fit(X, y, **_settings(epochs=3), callbacks=[every])
    assert (tmp_path / "epoch-2.mlpk").read_text() == "mine too"
    saver = mk.callbacks.ModelCheckpoint(fixed, monitor="loss", save_best_only=True, overwrite=True)
    _net().fit(X, y, **_settings(epochs=3), callbacks=[saver])
    assert saver.saved.count(str(fixed)) == 3  # its own file, rewritten at each new best
    assert mk.load(fixed) is not None


def test_a_resumed_model_checkpoint_rewrites_the_files_of_its_interrupted_run(tmp_path):
    X, y = _data()
    pattern = str(tmp_path / "epoch-{epoch}.mlpk")

    def saver():
        return mk.callbacks.ModelCheckpoint(pattern, monitor="loss", resumable=True)

    with pytest.raises(KeyboardInterrupt):  # epoch 3's model is saved, its checkpoint is not
        _net().fit(X, y, **_settings(), callbacks=[saver(), Interrupt()])
    history = _net().fit(X, y, **_settings(), callbacks=[saver(), Interrupt(99)])
    assert history.resumed_at == 2
    assert sorted(p.name for p in tmp_path.glob("epoch-*")) == [
        f"epoch-{n}.mlpk" for n in range(1, 7)
    ]
