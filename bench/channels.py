"""The structured channels' expressions on 1 MB adversarial inputs, one core.

Run: .venv/bin/python -m bench.channels
Prints one JSON line per input: the chunk repeated to 1 MB and the seconds each channel took.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from hub.sanitize.mail import parse_hop
from hub.sanitize.observables import DATA_FOLDER_RE
from hub.sanitize.parameters import ParameterRedactor, _decodings

CHUNKS = (
    "a",
    ".",
    "@",
    "a-",
    " ",
    "(",
    "from ",
    ";",
    "/users/",
    "-u ",
    "/node:",
    "\\\\",
    "QUFB",
    "%41",
    "=",
    "&",
)


def _seconds(fn: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return round(time.perf_counter() - start, 4)


def main() -> None:
    params = ParameterRedactor(lambda _: None)
    for chunk in CHUNKS:
        text = chunk * ((1 << 20) // len(chunk))
        row = {
            "bench": "channels.adversarial",
            "chunk": chunk,
            "bytes": len(text),
            "received_hop": _seconds(parse_hop, text),
            "url_parameters": _seconds(lambda t: params.url("v", "http://evil.top/" + t), text),
            "decodings": _seconds(_decodings, text),
            "data_folder": _seconds(DATA_FOLDER_RE.search, text),
        }
        print(json.dumps(row))


if __name__ == "__main__":
    main()
