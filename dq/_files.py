"""Writing files so that a reader never sees half of one: the bytes go to a temporary file in the
target's folder, are flushed to disk, and the temporary file is renamed over the target
(``os.replace`` is atomic on POSIX and Windows); the folder is then flushed too, so the rename
itself survives a power loss. A crash leaves the old file or the new one, never a mix; a failed
write removes its temporary file."""

from __future__ import annotations

import os
import stat
import tempfile

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, keep_mode: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8 with ``\\n`` line ends). With
    ``keep_mode`` an existing file keeps its permission bits."""
    target = os.path.abspath(os.fspath(path))
    directory, base = os.path.split(target)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        if keep_mode:
            try:
                os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            except FileNotFoundError:  # a new file: the umask's default, as open() would give
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # platforms without directory file descriptors
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
