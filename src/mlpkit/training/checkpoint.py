"""Saving the model during training."""

from __future__ import annotations

import os
import time

from ..exceptions import ConfigError
from .callbacks import MonitorCallback
from .resume import FILE_NAME


class ModelCheckpoint(MonitorCallback):
    """Save the network after every epoch, or only when ``monitor`` improves.

    Saving goes through ``model.save(path)``, which writes atomically (a temporary file renamed
    over the target), so an interrupted run never leaves a half-written checkpoint.

    A file that was at a path before the fit began is never replaced unasked: it is a
    FileExistsError unless ``overwrite=True`` (checked at train begin for a fixed path, when it
    is filled for a path with fields). The files this callback writes in the fit are its own
    and are rewritten (a ``save_best_only`` file at each new best), those of a resumed fit's
    interrupted run included.

    Args:
        path: the file name; it may hold ``{epoch}`` (counted from 1) and any log key with a
            format spec, e.g. ``"ckpt/{epoch:03d}-{val_loss:.4f}.mlpk"``. Missing parent
            directories are created.
        monitor, mode: what ``save_best_only`` compares (see :class:`Monitor`).
        save_best_only: save only in epochs where ``monitor`` reaches a new best.
        resumable: also make the fit resumable, as Keras's ``BackupAndRestore`` does: after
            every epoch everything the fit needs is saved to ``fit.mlpk`` in the folder of
            ``path`` (see :class:`~mlpkit.training.resume.Checkpoint`, which this is a short
            way of adding), and a fit started again with the same callbacks restores it and
            runs only the epochs left. ``path``'s folder must then be fixed (no ``{...}``).
        overwrite: replace files that were there before the fit began.

    Attributes:
        saved: the paths written in the current fit, in order.
    """

    state_attributes = ("tracker", "saved", "began")

    def __init__(
        self,
        path: str | os.PathLike,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        resumable: bool = False,
        overwrite: bool = False,
    ) -> None:
        super().__init__(monitor, mode)
        self.path, self.save_best_only = os.fspath(path), save_best_only
        self.resumable, self.overwrite = bool(resumable), bool(overwrite)
        if self.resumable:
            _check_resumable_path(self.path)
        self.saved: list[str] = []
        self.began, self.resumed = time.time(), False

    @property
    def folder(self) -> str:
        """The folder of ``path`` (where a resumable fit keeps its checkpoint)."""
        return os.path.dirname(self.path) or "."

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if not callable(getattr(self.model, "save", None)):
            raise TypeError(
                f"ModelCheckpoint needs a model with a save(path) method; "
                f"{type(self.model).__name__} has none."
            )
        self.saved, self.began = [], time.time()
        self.resumed = bool(self.params.get("resumed"))
        if "{" not in self.path and not self.resumed:
            self._refuse_if_there(self.path)

    def _refuse_if_there(self, path: str) -> None:
        """Raise FileExistsError if ``path`` holds a file that is not this fit's own: one saved
        in this fit, or (resumed) one written after the interrupted run began."""
        if self.overwrite or path in self.saved or not os.path.exists(path):
            return
        if self.resumed and os.path.getmtime(path) >= self.began:
            return
        raise FileExistsError(
            f"ModelCheckpoint would replace {path!r}, which was there before this fit. Pass "
            f"overwrite=True to replace it, or another path (e.g. another folder)."
        )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = self.tracker.read(logs)
            if value is None or not self.tracker.update(epoch, value):
                return
        try:
            path = self.path.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(
                f"ModelCheckpoint path {self.path!r} cannot be filled from the logs ({error}). "
                f"Available fields: epoch, {', '.join(logs)}."
            ) from None
        self._refuse_if_there(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.model.save(path, overwrite=True)  # refused above unless it is ours to rewrite
        self.saved.append(path)


def _check_resumable_path(path: str) -> None:
    folder, name = os.path.split(path)
    if "{" in folder:
        raise ConfigError(
            f"ModelCheckpoint(resumable=True) keeps the fit's checkpoint in the folder of path, "
            f"which must be fixed; {path!r} fills the folder from the logs. Put the fields in "
            f"the file name, e.g. 'ckpt/{{epoch:03d}}.mlpk'."
        )
    if name == FILE_NAME:
        raise ConfigError(
            f"ModelCheckpoint(resumable=True) keeps the fit's checkpoint in "
            f"{os.path.join(folder, FILE_NAME)!r}; name the saved models otherwise than {path!r}."
        )


__all__ = ["ModelCheckpoint"]
