"""The search ``criteria`` language of Zoho CRM v2.

``((Last_Name:equals:Burns\\,B)and(First_Name:starts_with:Ma))``: conditions
``field:operator:value`` in parentheses, joined by ``and``/``or``; v2 knows only
``equals`` and ``starts_with``; at most 10 conditions; ``(``, ``)`` and ``,`` inside a value
are escaped with a backslash, and a backslash itself is doubled (search-records docs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OPERATORS = ("equals", "starts_with")
MAX_CONDITIONS = 10
Getter = Callable[[Any, str], Any]


class CriteriaError(ValueError):
    """Zoho answers these with 400 INVALID_QUERY."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.details = {"reason": reason, **details}


@dataclass(frozen=True)
class Condition:
    api_name: str
    operator: str
    value: str

    def test(self, record: Any, get: Getter) -> bool:
        return matches(get(record, self.api_name), self.operator, self.value)


@dataclass(frozen=True)
class Join:
    operator: str  # "and" | "or"
    left: Condition | Join
    right: Condition | Join

    def test(self, record: Any, get: Getter) -> bool:
        if self.operator == "and":
            return self.left.test(record, get) and self.right.test(record, get)
        return self.left.test(record, get) or self.right.test(record, get)


def matches(value: Any, operator: str, wanted: str) -> bool:
    """Case-insensitive comparison of a stored value with a criteria value."""
    if value is None:
        return False
    if isinstance(value, dict):
        candidates = [str(value.get("id", "")), str(value.get("name") or "")]
    elif isinstance(value, bool):
        candidates = ["true" if value else "false"]
    elif isinstance(value, list):
        candidates = [str(v) for v in value]
    elif isinstance(value, float) and value.is_integer():
        candidates = [str(int(value)), str(value)]
    else:
        candidates = [str(value)]
    wanted = wanted.casefold()
    if operator == "equals":
        return any(c.casefold() == wanted for c in candidates)
    return any(c.casefold().startswith(wanted) for c in candidates)


# ---- parsing ---------------------------------------------------------------------------
LP, RP = "(", ")"


def _tokens(text: str) -> list[Any]:
    """Parens as strings; everything else as lists of (char, escaped) pairs."""
    tokens: list[Any] = []
    chars: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            chars.append((text[i + 1], True))
            i += 2
            continue
        if ch in (LP, RP):
            if chars:
                tokens.append(chars)
                chars = []
            tokens.append(ch)
        else:
            chars.append((ch, False))
        i += 1
    if chars:
        tokens.append(chars)
    return tokens


def _plain(chars: list[tuple[str, bool]]) -> str:
    return "".join(c for c, _ in chars)


def _condition(chars: list[tuple[str, bool]], known: set[str]) -> Condition:
    cuts = [i for i, (c, escaped) in enumerate(chars) if c == ":" and not escaped][:2]
    if len(cuts) < 2:
        raise CriteriaError("invalid criteria", criteria=_plain(chars))
    api_name = _plain(chars[: cuts[0]]).strip()
    operator = _plain(chars[cuts[0] + 1 : cuts[1]]).strip().lower()
    value = _plain(chars[cuts[1] + 1 :]).strip()
    if api_name not in known:
        raise CriteriaError("the field is not available for search", api_name=api_name)
    if operator not in OPERATORS:
        raise CriteriaError("invalid operator found", api_name=api_name, operator=operator)
    return Condition(api_name, operator, value)


class _Parser:
    def __init__(self, text: str, known: set[str]) -> None:
        self.tokens = _tokens(text)
        self.known = known
        self.pos = 0
        self.conditions = 0

    def _peek(self) -> Any:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _expect(self, token: str) -> None:
        if self._peek() != token:
            raise CriteriaError("invalid criteria: unbalanced parentheses")
        self.pos += 1

    def sequence(self) -> Condition | Join:
        node = self.operand()
        while isinstance(self._peek(), list):
            operator = _plain(self._peek()).strip().lower()
            if operator not in ("and", "or"):
                raise CriteriaError("invalid criteria", near=_plain(self._peek()))
            self.pos += 1
            node = Join(operator, node, self.operand())
        return node

    def operand(self) -> Condition | Join:
        self._expect(LP)
        if self._peek() == LP:
            node = self.sequence()
        elif isinstance(self._peek(), list):
            node = self._leaf(self._peek())
            self.pos += 1
        else:
            raise CriteriaError("invalid criteria: empty condition")
        self._expect(RP)
        return node

    def _leaf(self, chars: list[tuple[str, bool]]) -> Condition:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise CriteriaError(f"more than {MAX_CONDITIONS} criteria are not allowed")
        return _condition(chars, self.known)


def parse(text: str, known: set[str]) -> Condition | Join:
    """Parse ``criteria`` over the field API names in ``known``; raises CriteriaError."""
    parser = _Parser(text.strip(), known)
    if len(parser.tokens) == 1 and isinstance(parser.tokens[0], list):
        return parser._leaf(parser.tokens[0])  # a bare ``field:op:value`` is accepted too
    node = parser.sequence()
    if parser.pos != len(parser.tokens):
        raise CriteriaError("invalid criteria: unexpected text after the last condition")
    return node
