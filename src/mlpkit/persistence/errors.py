"""The exception a model file that cannot be loaded raises."""

from __future__ import annotations


class ModelFileError(ValueError):
    """A model file is refused: unreadable, tampered with, foreign, of another format, or its
    document or arrays do not describe a model this mlpkit can build.

    ``path`` is the file, ``field`` the place at fault (``"model.n_features"``,
    ``"archive member 'params'"``), ``problem`` what is wrong with it. The message reads
    ``"<path>: <field>: <problem>"``. A ``ValueError``, so code catching those still works.
    """

    def __init__(self, problem: str, *, path: str | None = None, field: str | None = None):
        self.problem, self.path, self.field = problem, path, field
        super().__init__(": ".join(part for part in (path, field, problem) if part))

    def at(self, path: str) -> ModelFileError:
        """The same refusal, naming ``path`` (when it does not name a file yet)."""
        if self.path is not None:
            return self
        return ModelFileError(self.problem, path=path, field=self.field)
