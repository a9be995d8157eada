"""The languages the site publishes, as data: `languages.yaml`, read once into frozen values.

Everything that differs by language and is not wording (labels.yaml holds the wording) comes from here: where
a language's pages go, its name in the language switch, its punctuation, its font, its locales. Code asks the
table (`TABLE.language(code).punctuation.open`) and never compares a language code with a literal.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .convert import NO_TERMS, Terms, convert

LANGUAGES_PATH = Path(__file__).with_name("languages.yaml")


class LanguagesError(Exception):
    """languages.yaml is malformed: a programming error, reported with the file's name."""


@dataclass(frozen=True)
class Punctuation:
    list: str  # between the items of a list: 、 or ", "
    colon: str  # after a lead-in: ： or ": "
    open: str  # a parenthesis: （ or " ("
    close: str
    and_: str  # between the last two of a short list: 、 or " and "
    slash: str  # between alternatives: ／ or " / "
    arrow: str  # between the steps of an order: → or " → "


PUNCTUATION_KEYS = {"list": "list", "colon": "colon", "open": "open", "close": "close", "and": "and_",
                    "slash": "slash", "arrow": "arrow"}


@dataclass(frozen=True)
class FontFile:
    """One weight of a face: the PyPI package holding it, its file there, and for a variable font the weight
    it is set at (the file is instanced at that weight, generator/fonts.py)."""

    weight: str  # "regular" or "bold"
    package: str  # the module name: cvttf_NotoSansCJK_Regular
    file: str  # its path inside the package, or a pattern (*.otf)
    wght: int | None = None


@dataclass(frozen=True)
class Font:
    key: str
    family: str  # the name charts, cards and handouts set text in
    web_family: str  # the web font's family, cut in slices (generator/fonts.py)
    slices: str  # the start of its slices' file names
    fallbacks: str  # the CSS font stack after the web font
    files: tuple[FontFile, ...]
    order_conversion: str | None = None  # the OpenCC config that turns the slices' order into this script's

    def file(self, weight: str) -> FontFile:
        for found in self.files:
            if found.weight == weight:
                return found
        raise KeyError(weight)

    @property
    def weights(self) -> tuple[str, ...]:
        return tuple(found.weight for found in self.files)


@dataclass(frozen=True)
class Language:
    code: str
    prefix: str
    name: str
    english_name: str
    font: Font
    og_locale: str
    csl_locale: str
    authors: str  # "native" or "romanised"
    capitalise: bool
    title_en: bool
    checks_usage: bool
    punctuation: Punctuation
    source: str | None = None  # a language converted from another: that language's code
    conversion: str | None = None  # the OpenCC config that converts the source's texts (generator/convert.py)
    terms: str | None = None  # the data's file of the desk's own conversions of single terms

    @property
    def derived(self) -> bool:
        return self.source is not None

    @property
    def article(self) -> str:
        """The English article before its name in a message: "an English text", "a Traditional Chinese text"."""
        return "an" if self.english_name[:1] in "AEIOU" else "a"


@dataclass(frozen=True)
class Languages:
    languages: tuple[Language, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    @property
    def written(self) -> tuple[str, ...]:
        """The languages the data and briefs are written in (the others are converted from one of them)."""
        return tuple(language.code for language in self.languages if not language.derived)

    @property
    def derived(self) -> tuple[Language, ...]:
        return tuple(language for language in self.languages if language.derived)

    @property
    def fonts(self) -> tuple[Font, ...]:
        """Every face the languages use, each once, in the table's order."""
        return tuple({language.font.key: language.font for language in self.languages}.values())

    @property
    def default(self) -> Language:
        return self.languages[0]

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def others(self, code: str) -> tuple[str, ...]:
        """Every other language, in the table's order: what a page's language switch and alternates list."""
        return tuple(other for other in self.codes if other != code)

    def fallbacks(self, code: str) -> tuple[str, ...]:
        """The languages a page in `code` shows instead when its text is not written in it (a brief not
        translated), in the order tried: a converted language's source first."""
        source = self.language(code).source
        return tuple(dict.fromkeys([*([source] if source else []), *self.others(code)]))

    def complete(self, texts: dict[str, str], terms: dict[str, Terms] | None = None) -> dict[str, str]:
        """Texts given in the written languages, with each converted language's converted from its source's
        (with the desk's `terms` for that language, where given); a text given for a converted language is kept."""
        done = dict(texts)
        for language in self.derived:
            if language.code not in done and language.source in done and language.conversion:
                done[language.code] = convert(done[language.source], language.conversion,
                                              (terms or {}).get(language.code, NO_TERMS))
        return done

    def complete_each(self, values: dict) -> dict:
        """Settings whose texts are given per written language ({zh-TW: …, en: …}, mkdocs.yml's organisation),
        each text completed with the converted languages'; other values as they are."""
        return {key: self.complete(value) if isinstance(value, dict) else value for key, value in values.items()}

    def by_prefix(self, path: str) -> str:
        """The language whose part of the site a published path is in (the default's for the root)."""
        prefixed = [language for language in self.languages if language.prefix and path.startswith(language.prefix)]
        return max(prefixed, key=lambda language: len(language.prefix)).code if prefixed else self.default.code

    def series(self, items: list[str]) -> str:
        """Codes as an English message lists them: "zh-TW and en", "zh-TW, en and zh-Hans"."""
        return items[0] if len(items) < 2 else ", ".join(items[:-1]) + " and " + items[-1]


def _required(raw: dict, key: str, where: str):
    if key not in raw:
        raise LanguagesError(f"{LANGUAGES_PATH.name}: {where} has no '{key}'")
    return raw[key]


def _font(key: str, raw: dict) -> Font:
    files = tuple(FontFile(weight, str(_required(entry, "package", f"font {key} {weight}")),
                           str(_required(entry, "file", f"font {key} {weight}")),
                           int(entry["wght"]) if "wght" in entry else None)
                  for weight, entry in _required(raw, "files", f"font {key}").items())
    return Font(key, str(_required(raw, "family", f"font {key}")), str(_required(raw, "web_family", f"font {key}")),
                str(_required(raw, "slices", f"font {key}")), str(_required(raw, "fallbacks", f"font {key}")), files,
                raw.get("order_conversion"))


def parse_languages(raw: dict) -> Languages:
    fonts = {key: _font(key, font) for key, font in raw["fonts"].items()}
    languages = []
    for entry in raw["languages"]:
        code = str(_required(entry, "code", "a language"))
        marks = _required(entry, "punctuation", code)
        if set(marks) != set(PUNCTUATION_KEYS):
            raise LanguagesError(f"{LANGUAGES_PATH.name}: {code}'s punctuation needs exactly "
                                 f"{', '.join(PUNCTUATION_KEYS)}")
        font = str(_required(entry, "font", code))
        if font not in fonts:
            raise LanguagesError(f"{LANGUAGES_PATH.name}: {code} names font '{font}', which the fonts table lacks")
        languages.append(Language(
            code=code, prefix=str(entry["prefix"]), name=str(_required(entry, "name", code)),
            english_name=str(_required(entry, "english_name", code)), font=fonts[font],
            og_locale=str(_required(entry, "og_locale", code)), csl_locale=str(_required(entry, "csl_locale", code)),
            authors=str(_required(entry, "authors", code)), capitalise=bool(_required(entry, "capitalise", code)),
            title_en=bool(_required(entry, "title_en", code)), checks_usage=bool(_required(entry, "checks_usage", code)),
            punctuation=Punctuation(**{field: str(marks[key]) for key, field in PUNCTUATION_KEYS.items()}),
            source=entry.get("from"), conversion=entry.get("conversion"), terms=entry.get("terms")))
    table = Languages(tuple(languages))
    for language in table.derived:
        if language.source not in table.written or not language.conversion:
            raise LanguagesError(f"{LANGUAGES_PATH.name}: {language.code} is converted, so it needs `from` (a written "
                                 "language) and `conversion` (an OpenCC config)")
    if table.default.derived:
        raise LanguagesError(f"{LANGUAGES_PATH.name}: the first language is the default and must be written")
    return table


# The code's own tables (languages.yaml, labels.yaml, framework.yaml) are read at every start: with libyaml, where
# PyYAML has it, in a tenth of the time (0.13 s of each command). Analysts' files keep the loader that gives lines.
CODE_TABLE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_code_table(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=CODE_TABLE_LOADER)  # a safe loader, C or Python


@cache
def load_languages() -> Languages:
    return parse_languages(read_code_table(LANGUAGES_PATH))


TABLE = load_languages()
