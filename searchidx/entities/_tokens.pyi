from collections.abc import Callable, Container
from typing import Any

class Tok:
    text: str
    kind: str
    start: int
    end: int
    cap: bool
    sent: bool
    conn: bool
    key: str

def tokenize(text: str, cache: dict[str, tuple[bool, bool, str, bool]],
             info: Callable[[str], tuple[bool, bool, str, bool]]) -> list[Any]: ...
def word_starts(text: str, sets: tuple[Container[str], ...], /) -> tuple[list[int], ...]: ...
