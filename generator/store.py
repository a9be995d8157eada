"""The build's one cache: content-addressed entries that are whole or absent, and checked before use.

Entry point: `Store(folder)`. An entry is a folder `<kind>/<key>/` holding its
files, `.meta.json` (whatever the step keeps beside them, such as a chart's title
and alt text) and `entry.json`, which lists each file's size and SHA-256. The key is a digest of
everything the entry was made from, the code included, so a changed input or a
changed line of code finds no entry and the step runs again.

Writing goes to a temporary folder, `entry.json` last, then one rename: a build
killed half-way leaves no entry, only a temporary folder the next write clears.
Nothing is fsync'd: a cache needs no durability, only that what it serves is
whole, and the checks on reading give that. After a power cut an entry whose
bytes never reached the disk fails its check and is made again (fsync cost a
quarter of a chart's wall time). Reading checks every listed file's SHA-256 (a few
milliseconds for a whole site's entries); copying a file out (`Entry.copy_to`)
checks it again on the bytes it copies. An entry that fails either check is removed and reported as
missing, so the step makes it again: a bad entry is rebuilt, never shipped.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENTRY = "entry.json"  # each file's size and SHA-256
# What a step keeps beside its files (a chart's title and alt text), checked like them; a name no step's
# own files take.
META = ".meta.json"


class BadEntry(Exception):
    """A file of an entry is not what was written; the entry has been removed."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_new(target: Path, data: bytes) -> None:
    """A new file at target, never a write through a hard link to the live site. A failed write
    names the file (Python's own error for a full disk names none)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
    except OSError as error:
        if error.filename:
            raise
        raise OSError(error.errno, error.strerror, str(target)) from None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@dataclass(frozen=True)
class Entry:
    folder: Path
    files: dict  # name -> {"size": int, "sha256": str}
    meta: dict

    @property
    def names(self) -> tuple[str, ...]:
        """The step's own files, without the metadata."""
        return tuple(sorted(name for name in self.files if name != META))

    def path(self, name: str) -> Path:
        return self.folder / name

    def read(self, name: str) -> bytes:
        """A file's bytes, after checking them against what was written."""
        data = self.path(name).read_bytes()
        if hashlib.sha256(data).hexdigest() != self.files[name]["sha256"]:
            self._discard()
            raise BadEntry(f"{self.folder.name}/{name}")
        return data

    def copy_to(self, name: str, target: Path) -> None:
        """Copy one file out, checking its bytes on the way."""
        write_new(target, self.read(name))

    def verify(self) -> None:
        for name in self.files:
            self.read(name)

    def _discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Store:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _home(self, kind: str, key: str) -> Path:
        return self.folder / kind / key

    def get(self, kind: str, key: str, names: tuple[str, ...] | None) -> Entry | None:
        """The entry, if it is there whole: exactly the files `names` (None: whatever files it lists) and
        its metadata, each with the bytes it was written with."""
        home = self._home(kind, key)
        try:
            files = json.loads((home / ENTRY).read_text(encoding="utf-8"))["files"]
            if not isinstance(files, dict) or META not in files or (names is not None and set(files) != {*names, META}):
                raise ValueError("not the files this step writes")
            if not all(isinstance(info, dict) and sha256_file(home / name) == info.get("sha256")
                       for name, info in files.items()):
                raise ValueError("damaged")
            meta = json.loads((home / META).read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("odd metadata")
        except (OSError, ValueError, KeyError, TypeError):
            self._remove(home)
            return None
        return Entry(home, files, meta)

    @staticmethod
    def _remove(home: Path) -> None:
        if home.is_dir() and not home.is_symlink():
            shutil.rmtree(home, ignore_errors=True)
        else:
            home.unlink(missing_ok=True)

    def put(self, kind: str, key: str, files: dict[str, bytes], meta: dict | None = None) -> Entry:
        """Write an entry atomically; if another build wrote it meanwhile, theirs stands (same key, same bytes)."""
        home = self._home(kind, key)
        home.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=home.parent))
        try:
            listing = {}
            files = {**files, META: json.dumps(meta or {}, ensure_ascii=False, sort_keys=True).encode("utf-8")}
            for name, data in files.items():
                _write(temporary / name, data)
                listing[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            _write(temporary / ENTRY, json.dumps({"files": listing}, sort_keys=True).encode("utf-8"))
            try:
                temporary.rename(home)
            except OSError:  # it exists: written by a build running at the same time, or left broken
                existing = self.get(kind, key, tuple(name for name in files if name != META))
                if existing is not None:
                    return existing
                self._remove(home)
                temporary.rename(home)
            return Entry(home, listing, meta or {})
        finally:
            shutil.rmtree(temporary, ignore_errors=True)

    def replace(self, kind: str, key: str, files: dict[str, bytes], meta: dict | None = None) -> Entry:
        """Write an entry in place of the one under its key: a step's memo that follows its inputs (the laid-out
        references of generator/cite.py), under the code's digest. Killed between the two, the entry is absent."""
        self._remove(self._home(kind, key))
        return self.put(kind, key, files, meta)

    def clear_leftovers(self) -> None:
        """Temporary folders of writes that a killed build never finished."""
        if not self.folder.is_dir():
            return
        for kind in self.folder.iterdir():
            if kind.is_dir():
                for leftover in kind.glob(".*-*"):
                    shutil.rmtree(leftover, ignore_errors=True)
