"""Files only their owner may read: the data folder, the database, backups, receipts, reports.

The workstation's database holds the hub token and every company's contacts, so nothing it
writes may be readable by other users of the computer. Modes are set explicitly, whatever
the process's umask: folders 0700, files 0600. On Windows the per-user profile folder
already keeps other users out and ``chmod`` only knows a read-only flag, so these
functions only create there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_POSIX = os.name == "posix"


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it 0700 on POSIX.

    An existing folder we own loses its group and other permissions (a data folder made by an
    older version was 0755) — except a shared folder: one with the sticky bit (``/tmp``,
    ``/var/tmp``; root owns them, and a database or backup put straight into one must not lock
    every other user out of it) or the user's home folder. Raises ``FileExistsError`` when
    ``path`` is a file.
    """
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if _POSIX:
        st = path.stat()
        if (st.st_uid == os.geteuid() and st.st_mode & 0o777 != PRIVATE_DIR_MODE
                and not _shared_folder(path, st.st_mode)):
            os.chmod(path, PRIVATE_DIR_MODE)
    return path


def _shared_folder(path: Path, mode: int) -> bool:
    if mode & stat.S_ISVTX:
        return True
    try:
        return path.resolve() == Path.home().resolve()
    except (OSError, RuntimeError):  # no home folder (a service account)
        return False


def make_private_file(path: Path) -> None:
    """Make an existing file 0600 on POSIX (a file of another owner is left alone)."""
    if not _POSIX:
        return
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_uid == os.geteuid() and st.st_mode & 0o777 != PRIVATE_FILE_MODE:
        os.chmod(path, PRIVATE_FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600; ``FileExistsError`` when it exists (never overwrites)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(fd, PRIVATE_FILE_MODE)  # the umask may have taken bits away
    finally:
        os.close(fd)


def create_unique_file(folder: Path, stem: str, suffix: str) -> Path:
    """Create a new empty 0600 file ``folder/stem{suffix}``; when that name is taken,
    ``stem-2{suffix}``, ``stem-3{suffix}``… An existing file is never overwritten."""
    for n in range(1, 10_000):
        candidate = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            create_private_file(candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free file name for {stem}{suffix} in {folder}")


def private_temp_next_to(target: Path) -> Path:
    """A new, empty 0600 temporary file in ``target``'s folder with ``target``'s suffix, for
    writing there and then ``os.replace``-ing onto ``target`` (which never follows a symbolic
    link: the link itself is replaced)."""
    import tempfile  # only the command line's --out needs it; start-up does not

    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    make_private_file(Path(name))
    return Path(name)
