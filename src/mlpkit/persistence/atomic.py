"""Atomic writes: readers see the old file or the whole new one, never a part.

``write_atomically(path, write_to)`` writes to a temporary file ``.mlpkit-*.tmp`` beside
``path``, fsyncs it, renames it over ``path`` and fsyncs the folder, so the rename itself
survives a power cut. With ``overwrite=False`` an existing ``path`` is refused before anything
is written, and the new file is linked into place (``os.link`` fails if a file has appeared
there meanwhile) instead of renamed over it. The writer holds an exclusive ``flock`` on its
temporary file while it writes; a temporary file nobody holds a lock on and older than
:data:`STALE_AFTER` seconds was left by a killed writer, and the next write to that folder
removes it. (Where ``fcntl`` is missing, e.g. Windows, a temporary file older than an hour
counts as stale.)
"""

from __future__ import annotations

import os
import tempfile
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

PREFIX, SUFFIX = ".mlpkit-", ".tmp"
#: Seconds after which an unlocked temporary file counts as left by a killed writer.
STALE_AFTER = 2.0
#: Without file locks, the age after which a temporary file counts as stale.
STALE_UNLOCKED = 3600.0


def write_atomically(path: str, write_to, *, overwrite: bool = True) -> None:
    """Call ``write_to(stream)`` on a temporary file beside ``path`` (binary mode), then move it
    over ``path`` and fsync the folder; ``overwrite=False``: a FileExistsError (naming the file
    and the way to replace it) where a file is, before or after writing."""
    if not overwrite:
        refuse_existing(path)
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale(folder)
    handle, temporary = tempfile.mkstemp(prefix=PREFIX, suffix=SUFFIX, dir=folder)
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            write_to(stream)
            stream.flush()
            os.fsync(stream.fileno())
            place(temporary, path, overwrite)  # before closing: the lock is held until then
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    fsync_folder(folder)


def refuse_existing(
    path: str, fix: str = "pass overwrite=True to replace it, or choose another path"
) -> None:
    """A FileExistsError when a file (or anything) is at ``path``: mlpkit replaces no file it
    was not asked to. ``fix`` says how to ask, or what to do instead."""
    if os.path.lexists(path):
        raise FileExistsError(f"{path} exists; {fix}.")


def place(temporary: str, path: str, overwrite: bool) -> None:
    """Move the written ``temporary`` to ``path``: renamed over it, or (``overwrite=False``)
    linked there, which fails if a file has appeared at ``path``; where the file system has
    no hard links, renamed after one more look."""
    if overwrite:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        refuse_existing(path)
        raise
    except OSError:  # no hard links here (some network and FUSE file systems)
        refuse_existing(path)
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def remove_stale(folder: str) -> list[str]:
    """Remove the temporary files killed writers left in ``folder``; returns their names."""
    removed = []
    try:
        names = [n for n in os.listdir(folder) if n.startswith(PREFIX) and n.endswith(SUFFIX)]
    except OSError:
        return removed
    for name in names:
        candidate = os.path.join(folder, name)
        try:
            if _is_stale(candidate):
                os.unlink(candidate)
                removed.append(name)
        except OSError:  # gone meanwhile, or not ours to remove
            continue
    return removed


def _is_stale(candidate: str) -> bool:
    age = time.time() - os.stat(candidate).st_mtime
    if fcntl is None:
        return age > STALE_UNLOCKED
    if age <= STALE_AFTER:
        return False
    fd = os.open(candidate, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a live writer holds it
    finally:
        os.close(fd)
    return True


def fsync_folder(folder: str) -> None:
    """fsync the folder so that a rename into it is durable (a no-op where folders cannot be
    opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
