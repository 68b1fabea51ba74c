"""Reading the parameters of one template call into values, collecting problems as it goes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from ledger.name import unknown_message
from ledger.record import Problem, Severity, Source
from parsers.fields import FIELDS, Field
from parsers.template import Param, TemplateCall
from parsers.text import ValueFormatError, clean, quote

T = TypeVar("T")


@functools.cache
def _by_key(kind: str) -> dict[str, Field]:
    return {key: field for field in FIELDS[kind] for key in field.param_keys()}


class CallReader:
    """Reads the parameters of one call, collecting problems; `failed` after any error."""

    def __init__(self, title: str, call: TemplateCall, template: str) -> None:
        self.title = title
        self.call = call
        self.template = template
        self.problems: list[Problem] = []
        self.failed = False
        self.source = Source(title, call.line)
        known = FIELDS[call.kind]
        self.fields = {field.name: field for field in known}
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
            else:
                self.keep(found, param)

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
        return param is not None and bool(clean(param.value))

    def line(self, name: str) -> int:
        param = self.params.get(name)
        return param.line if param is not None else self.call.line

    def raw(self, name: str) -> str:
        param = self.params.get(name)
        return param.value if param is not None else ""

    def read(self, name: str, parse: Callable[[str, str], T], required: bool = False) -> T | None:
        """The parsed value of a parameter; None when absent, empty or unreadable."""
        if not self.given(name):
            if required:
                self.error(self.line(name), self.fields[name].missing())
            return None
        try:
            return parse(self.params[name].value, name)
        except ValueFormatError as error:
            self.error(self.line(name), error.message)
            return None
