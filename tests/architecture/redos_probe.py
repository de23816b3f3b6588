"""Child process of test_redos: collects the hub's compiled regexes and runs each on 1 MB of
adversarial text, printing one line when it starts a pattern and one when it is done.

``python -m tests.architecture.redos_probe list`` prints the patterns found;
``python -m tests.architecture.redos_probe run N`` runs them from the N-th on.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

PACKAGES = ("hub", "api", "connectors", "schemas")
# The sanitizer's own branch covers its regexes; the migrations run on import.
SKIPPED = ("hub.sanitize", "hub.migrations")
SIZE = 1 << 20


def modules() -> Iterator[types.ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if not info.name.startswith(SKIPPED):
                yield importlib.import_module(info.name)


def _walk(value: Any, where: str, seen: set[int], depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Patterns reachable from a module-level value: in containers, closures, defaults,
    bound ``pattern.match`` methods and the fields of the hub's own objects."""
    if depth > 6 or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{where}[{key!r}]", seen, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for n, item in enumerate(value):
            yield from _walk(item, f"{where}[{n}]", seen, depth + 1)
    elif isinstance(value, types.BuiltinMethodType):
        yield from _walk(getattr(value, "__self__", None), where, seen, depth + 1)
    elif isinstance(value, types.FunctionType):
        for cell in value.__closure__ or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            yield from _walk(contents, f"{where}.<closure>", seen, depth + 1)
        for item in value.__defaults__ or ():
            yield from _walk(item, f"{where}.<default>", seen, depth + 1)
    elif isinstance(value, type):
        if value.__module__.startswith(PACKAGES):
            for key, item in vars(value).items():
                yield from _walk(item, f"{where}.{key}", seen, depth + 1)
    elif type(value).__module__.startswith(PACKAGES):
        fields = getattr(value, "__dict__", None) or {
            slot: getattr(value, slot, None) for slot in getattr(type(value), "__slots__", ())
        }
        for key, item in fields.items():
            yield from _walk(item, f"{where}.{key}", seen, depth + 1)


def patterns() -> list[tuple[str, re.Pattern[Any]]]:
    found: dict[tuple[Any, int], str] = {}
    compiled: dict[tuple[Any, int], re.Pattern[Any]] = {}
    seen: set[int] = set()
    for module in modules():
        for name, value in vars(module).items():
            if isinstance(value, types.ModuleType):
                continue
            owner = getattr(value, "__module__", module.__name__)
            if isinstance(value, type | types.FunctionType) and owner != module.__name__:
                continue  # imported from elsewhere: walked where it is defined
            for where, pattern in _walk(value, f"{module.__name__}.{name}", seen):
                key = (pattern.pattern, pattern.flags)
                found.setdefault(key, where)
                compiled.setdefault(key, pattern)
    return sorted(((found[k], compiled[k]) for k in found), key=lambda t: t[0])


def inputs() -> Iterator[tuple[str, str]]:
    units = {
        "word characters": "a",
        "digits": "7",
        "hex": "af",
        "dots": ".",
        "at signs": "@",
        "hyphens": "-",
        "spaces": " ",
        "a.": "a.",
        "a-": "a-",
        "a@": "a@",
        "%41": "%41",
        "a:": "a:",
        "a/": "a/",
        "quotes": "'",
        "backslashes": "\\",
        "escaped quotes": "\\'",
        "quote backslash": "'\\",
        "a'": "a'",
        "1.": "1.",
        "a=": "a=",
    }
    for name, unit in units.items():
        text = unit * (SIZE // len(unit))
        yield name, text
        # A character no pattern expects at the end: a match must fail, and backtrack.
        yield f"{name} then !", text + "\x00!"
    half = SIZE // 2
    yield "nested brackets", "(" * half + ")" * half
    yield "nested square brackets", "[" * half + "]" * half
    yield "nested braces", "{" * half + "}" * half
    yield "a.a.a@", "a." * (half - 1) + "a@"


def run(start: int) -> None:
    """Run patterns from the ``start``-th on, a line before each input so a hang is pinned."""
    found = patterns()
    cases = list(inputs())
    for n in range(start, len(found)):
        where, pattern = found[n]
        for k, (name, text) in enumerate(cases):
            print(f"case {n} {k} {where} on 1 MB of {name}", flush=True)
            subject: Any = text.encode() if isinstance(pattern.pattern, bytes) else text
            # Every match, as finditer/sub/findall would: a pattern must be linear in any use.
            for count, _match in enumerate(pattern.finditer(subject)):
                if count > 100_000:
                    break
    print(f"end {len(found)}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "list":
        for where, pattern in patterns():
            print(where, pattern.pattern[:80])
    else:
        run(int(sys.argv[2]))
