"""Reading the parameters of one template call into values, collecting problems as it goes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import TypeVar, cast

from ledger.name import DEFAULT_USER_NAMESPACES, unknown_message
from ledger.record import Problem, Severity, Source
from parsers.fields import FIELDS, Field
from parsers.template import Param, TemplateCall
from parsers.text import ValueFormatError, clean, quote

T = TypeVar("T")
# The same dates, amounts, names and circles recur on every page: each (parser, value, label)
# is worked out once. Longer values (rare, seldom repeated) are not kept, to bound the memory.
_CACHED_LENGTH = 200


@functools.cache
def _by_key(kind: str) -> dict[str, Field]:
    return {key: field for field in FIELDS[kind] for key in field.param_keys()}


@functools.cache
def _by_name(kind: str) -> dict[str, Field]:
    return {field.name: field for field in FIELDS[kind]}


def _parse(
    parse: Callable[[str, str], object], value: str, label: str
) -> tuple[bool, object, str | None]:
    """Whether `value` is blank, else `parse(value, label)` or its `ValueFormatError` message."""
    if not clean(value):
        return True, None, None
    try:
        return False, parse(value, label), None
    except ValueFormatError as error:
        return False, None, error.message


_parse_cached = functools.lru_cache(maxsize=8192)(_parse)


@functools.lru_cache(maxsize=8192)
def _is_blank_cached(value: str) -> bool:
    return not clean(value)


def _is_blank(value: str) -> bool:
    return _is_blank_cached(value) if len(value) <= _CACHED_LENGTH else not clean(value)


class CallReader:
    """Reads the parameters of one call, collecting problems; `failed` after any error."""

    def __init__(
        self,
        title: str,
        call: TemplateCall,
        template: str,
        user_namespaces: Collection[str] = DEFAULT_USER_NAMESPACES,
    ) -> None:
        self.title = title
        self.user_namespaces = user_namespaces  # where a member's own pages are
        self.call = call
        self.template = template
        self.problems: list[Problem] = []
        self.failed = False
        self.source = Source(title, call.line)
        known = FIELDS[call.kind]
        self.fields = _by_name(call.kind)
        self.params: dict[str, Param] = {}
        by_key = _by_key(call.kind)
        for duplicate in call.duplicates:
            self.repeated(duplicate)
        for unnamed in call.positional:
            example = f"{known[0].name}={known[0].example}" if known else "paramètre=valeur"
            self.warning(
                unnamed.line,
                f"valeur sans nom de paramètre {quote(unnamed.value)} ignorée : "
                f"écrivez paramètre=valeur, par exemple {example}",
            )
        for key, param in call.params.items():
            found = by_key.get(key)
            if found is None:
                names = [f.name for f in known]
                self.warning(param.line, unknown_message("paramètre", param.written, names))
            elif found.name in self.params:
                self.keep(found, param)
            else:
                self.params[found.name] = param

    def keep(self, field: Field, param: Param) -> None:
        """Two aliases of one parameter (`contributeur`, `contributrice`): the last one wins."""
        earlier = self.params.get(field.name)
        if earlier is not None and earlier.line > param.line:
            earlier, param = param, earlier
        if earlier is not None:
            self.repeated(earlier)
        self.params[field.name] = param

    def repeated(self, ignored: Param) -> None:
        self.warning(
            ignored.line,
            f"paramètre « {ignored.written} » en double : la valeur {quote(ignored.value)} est "
            "ignorée, seule la dernière compte ; supprimez l'une des deux",
        )

    def error(self, line: int, message: str) -> None:
        self.failed = True
        self.problems.append(
            Problem(Source(self.title, line), self.template, Severity.ERROR, message)
        )

    def warning(self, line: int, message: str) -> None:
        self.problems.append(
            Problem(Source(self.title, line), self.template, Severity.WARNING, message)
        )

    def given(self, name: str) -> bool:
        param = self.params.get(name)
        return param is not None and not _is_blank(param.value)

    def line(self, name: str) -> int:
        param = self.params.get(name)
        return param.line if param is not None else self.call.line

    def raw(self, name: str) -> str:
        param = self.params.get(name)
        return param.value if param is not None else ""

    def written(self, *names: str) -> tuple[tuple[str, str], ...]:
        """(name, value as written) of the given parameters that are present, in that order."""
        return tuple(
            (name, param.value) for name in names if (param := self.params.get(name)) is not None
        )

    def read(self, name: str, parse: Callable[[str, str], T], required: bool = False) -> T | None:
        """The parsed value of a parameter; None when absent, empty or unreadable.

        `parse` must be a pure function of (value, label): its results are kept and reused.
        """
        param = self.params.get(name)
        if param is not None:
            value = param.value
            cached = len(value) <= _CACHED_LENGTH
            blank, parsed, message = (_parse_cached if cached else _parse)(parse, value, name)
            if not blank:
                if message is None:
                    return cast(T, parsed)
                self.error(param.line, message)
                return None
        if required:
            self.error(self.line(name), self.fields[name].missing())
        return None
