"""What the build may read: the files under data/, docs/ and templates/.

Entry point: `scan(folder, shown_as) -> Listing`, used by the load stage before
any file is opened. Everything here arrives through pull requests, so:

- a symbolic link is refused, never followed (it could publish /proc/self/environ or
  read /dev/zero), and so is anything that is not a plain file or folder;
- a file name that holds control or bidi characters is refused, since it would
  forge lines in messages or read differently from what it is, and so is one holding
  `: # ? % \\`, which a web address reads as more than a name;
- each kind of file has a size limit, checked from the listing before it is read.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .characters import printable
from .model import Problem

# The page, print and theme templates: package data in an installed wheel (generator/templates),
# the project's own templates/ folder in a checkout or an editable install.
_PACKAGE = Path(__file__).resolve().parent
TEMPLATES = _PACKAGE / "templates" if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent / "templates"

MAX_DATA_BYTES = 2 * 1024 * 1024  # a hand-written data file is a few KB
MAX_TEXT_BYTES = 256 * 1024  # a brief or page: a long brief is 30 KB, this is a short book
MAX_ASSET_BYTES = 10 * 1024 * 1024  # a picture or PDF under docs/
MAX_FILES = 50_000
# Characters that mean something in a web address: in a published file's name they would make its
# link go elsewhere (a scheme, a fragment, a query, an escape).
URL_RESERVED = ':#?%\\'

MAX_DEPTH = 16

# What docs/ may publish besides Markdown pages: pictures and PDFs. Anything else
# (HTML, SVG, scripts, stylesheets) could run script on the site or restyle it.
ASSET_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".pdf")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
# How each kind of file begins. WeasyPrint and browsers go by content, not by name: an SVG saved as
# .png would be drawn as SVG (with its text, and with pictures of its own to fetch).
SIGNATURES = {
    ".png": ("PNG picture", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("JPEG picture", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("JPEG picture", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".gif": ("GIF picture", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("WebP picture", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ".avif": ("AVIF picture", lambda head: head[4:12] in (b"ftypavif", b"ftypavis")),
    ".pdf": ("PDF", lambda head: head.startswith(b"%PDF-")),
    ".woff2": ("WOFF2 font", lambda head: head.startswith(b"wOF2")),
}


MAX_PIXELS = 25_000_000  # 5,000 × 5,000; a 13,000-pixel square PNG of 657 KB took 1.6 GB to lay out


def content_problem(path: Path, suffix: str) -> str | None:
    """Why a file's bytes are not what its name says, or a picture too large to decode, or None."""
    kind, matches = SIGNATURES[suffix.lower()]
    try:
        with open(path, "rb", opener=_no_follow) as handle:
            head = handle.read(16)
    except OSError as error:
        return f"the file cannot be read ({error.strerror}); check that it exists and is readable"
    if not matches(head):
        looks = "text, such as SVG or HTML" if head.lstrip()[:1] in (b"<", b"{") else "something else"
        return f"the file is named as a {kind} but holds {looks}; save it again as a real {kind}"
    if "picture" not in kind:
        return None
    return pixels_problem(path, kind)


def pixels_problem(path: Path, kind: str) -> str | None:
    """A small file can hold a picture of billions of pixels: its header says how many, before decoding."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                width, height = picture.size
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        if isinstance(error, Image.DecompressionBombError):
            return f"the {kind} is far too large to draw; make it at most {MAX_PIXELS // 1_000_000} million pixels"
        return f"the {kind} cannot be read ({error}); save it again"
    if width * height > MAX_PIXELS:
        return (f"the {kind} is {width} × {height} pixels, more than the {MAX_PIXELS // 1_000_000} million a page or "
                "handout can draw; make it smaller (2,000 pixels wide is plenty for print)")
    return None


@dataclass(frozen=True)
class InputFile:
    path: Path  # where to read it
    shown: str  # how messages name it: the folder as given, then its place there
    relative: str  # its place in the folder, with "/" between parts
    size: int

    @property
    def name(self) -> str:
        return self.relative.rpartition("/")[2]

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.name)[1]


@dataclass(frozen=True)
class Listing:
    files: tuple[InputFile, ...]  # plain files, sorted by place
    folders: tuple[str, ...]  # every folder's place, sorted
    problems: tuple[Problem, ...]

    def file(self, relative: str) -> InputFile | None:
        return next((file for file in self.files if file.relative == relative), None)


def size_problem(file: InputFile, limit: int, kind: str) -> Problem | None:
    if file.size <= limit:
        return None
    return _over_limit(file, limit, kind)


def _over_limit(file: InputFile, limit: int, kind: str) -> Problem:
    size = f"{file.size / 1024 / 1024:.1f} MB" if file.size >= 1024 * 1024 else f"{file.size // 1024} KB"
    allowed = f"{limit // 1024 // 1024} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return Problem(file.shown, 1, f"the file is {size}, over the {allowed} allowed for {kind}; "
                                  "split it or remove what does not belong")


def scan(folder: str | Path, shown_as: str | None = None, skip_hidden: bool = True) -> Listing:
    """Every plain file under folder, without following links; what cannot be read safely is a Problem.

    Hidden names (".git", ".DS_Store") are skipped as MkDocs skips them, but a link
    is refused wherever it is.
    """
    root = Path(folder)
    shown_root = str(shown_as if shown_as is not None else folder)
    files: list[InputFile] = []
    folders: list[str] = []
    problems: list[Problem] = []

    def shown(relative: str) -> str:
        return str(Path(shown_root, relative))

    def walk(directory: Path, relative: str, depth: int) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            problems.append(Problem(shown(relative) if relative else shown_root, 1,
                                    f"the folder cannot be read ({error.strerror}); check its permissions"))
            return
        for entry in entries:
            place = f"{relative}/{entry.name}" if relative else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                problems.append(Problem(shown(place), 1, f"cannot be read ({error.strerror}); check its permissions"))
                continue
            if stat.S_ISLNK(info.st_mode):
                problems.append(Problem(shown(place), 1, "is a symbolic link; copy the file here instead "
                                        "(links are not followed, so nothing outside the project is published)"))
                continue
            if printable(entry.name) != entry.name:
                problems.append(Problem(shown(place), 1, "the name holds a control or text-direction character; "
                                        "rename it with plain letters, digits and hyphens"))
                continue
            if skip_hidden and entry.name.startswith("."):
                continue
            if reserved := sorted(set(entry.name) & set(URL_RESERVED)):
                problems.append(Problem(shown(place), 1, f"the name holds {' '.join(repr(c) for c in reserved)}, which "
                                        "a web address reads as more than a name (a page named 'https:site/x' would "
                                        "link off the site); rename it with plain letters, digits and hyphens"))
                continue
            if stat.S_ISDIR(info.st_mode):
                if depth >= MAX_DEPTH:
                    problems.append(Problem(shown(place), 1, f"folders are nested more than {MAX_DEPTH} deep here; "
                                            "flatten them"))
                    continue
                folders.append(place)
                walk(Path(entry.path), place, depth + 1)
            elif stat.S_ISREG(info.st_mode):
                if len(files) >= MAX_FILES:
                    raise _TooMany()
                files.append(InputFile(Path(entry.path), shown(place), place, info.st_size))
            else:
                problems.append(Problem(shown(place), 1, "is not a plain file (a pipe, socket or device); remove it"))

    try:
        walk(root, "", 0)
    except _TooMany:
        return Listing(tuple(files), tuple(folders), (Problem(
            shown_root, 1, f"the folder holds more than {MAX_FILES:,} files; move what the site does not need elsewhere"),))
    return Listing(tuple(files), tuple(folders), tuple(problems))


class _TooMany(Exception):
    pass


def read_text_file(file: InputFile, limit: int, kind: str) -> tuple[str | None, list[Problem]]:
    """The file as UTF-8 text, or None with the reason; the size is checked before reading."""
    too_big = size_problem(file, limit, kind)
    if too_big:
        return None, [too_big]
    try:
        with open(file.path, "rb", opener=_no_follow) as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        return None, [Problem(file.shown, 1, f"the file cannot be read ({error.strerror}); "
                                             "check that it exists and is readable")]
    if len(data) > limit:  # it grew since it was listed
        return None, [_over_limit(InputFile(file.path, file.shown, file.relative, len(data)), limit, kind)]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(file.shown, line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); "
                                                "save it with UTF-8 encoding")]


def _no_follow(path, flags):
    # The listing saw a plain file; if it was swapped for a link since, do not follow it.
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
