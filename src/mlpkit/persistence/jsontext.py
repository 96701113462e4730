"""The model file's JSON document, parsed within bounds.

``json.loads`` recurses once per nesting level (a RecursionError past ~1,000) and holds the
whole parsed tree in memory, so the text is checked first: at most :data:`MAX_BYTES` bytes of
UTF-8, nested at most :data:`MAX_DEPTH` deep (counted over the brackets outside strings,
vectorised, before parsing), integers of at most 4,300 digits (Python's own limit).
"""

from __future__ import annotations

import json
import re

import numpy as np

from .errors import ModelFileError

#: The largest document accepted (a preprocessor with many categories stays far below).
MAX_BYTES = 64 * 2**20
#: The deepest nesting accepted (mlpkit writes at most ~12 levels).
MAX_DEPTH = 64
#: JSON strings (escapes included), removed before counting brackets.
STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def parse(text: bytes, field: str = "meta"):
    """The value of the JSON ``text``; ModelFileError naming ``field`` when it is too large,
    too deep, not UTF-8 or not JSON."""
    if len(text) > MAX_BYTES:
        raise ModelFileError(
            f"the document is {len(text):,} bytes; at most {MAX_BYTES:,} are read.", field=field
        )
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise ModelFileError(
            f"the document is nested {depth} levels deep; at most {MAX_DEPTH} are read.",
            field=field,
        )
    try:
        return json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ModelFileError(f"the document is not valid JSON ({error}).", field=field) from None


def nesting_depth(text: bytes, chunk: int = 2**18) -> int:
    """The deepest nesting of ``[``/``{`` outside JSON strings: the maximum over prefixes of
    (#opening − #closing) brackets, computed ``chunk`` bytes at a time (about 3 MiB of work
    arrays whatever the document's size)."""
    bare = np.frombuffer(STRING.sub(b'""', text), dtype=np.uint8)
    depth = deepest = 0
    for start in range(0, bare.size, chunk):
        part = bare[start : start + chunk]
        opening = (part == ord("[")) | (part == ord("{"))
        step = opening.view(np.int8) - ((part == ord("]")) | (part == ord("}"))).view(np.int8)
        running = np.cumsum(step, dtype=np.int64) + depth
        deepest = max(deepest, int(running.max(initial=0)))
        depth = int(running[-1])
    return deepest
