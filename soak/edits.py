"""The sync's rule, applied by the checker to the ledger's writes: what a field may hold.

"The most recent change wins", field by field. From the writes that can reach a side,
the side may end with the value of any write that could be the last: a write is out
only when another surely came after it (sent after it was answered). Two writes whose
requests overlapped may have committed in either order, so either value may win.

Zoho's side is seen as the sync sees it (zoho-crm-api.md: Modified_Time is the whole
record's, to the second): a rep's write is dated from the start of its second, and is
as recent as the rep's last action on the record after it (an edit of another field, a
conversion), unless a later rep write of the same field replaced it.
"""

import math
from collections.abc import Iterable

from soak.ledger import PLEZI, ZOHO, Write

OPT_OUT = "email_opt_out"


def could_end_with(writes: list[Write], touched: Iterable[float], *, key: str = "") -> set:
    """The values a side may hold at the end, given the `writes` that can reach it and
    when reps acted on its Zoho record (`touched`). Empty: nothing to judge by."""
    if not writes:
        return set()
    if key == OPT_OUT and any(w.value is True for w in writes):
        return {True}  # an opt-out anywhere applies everywhere (consent is never undone)
    touched = sorted(touched)
    spans = [_span(write, writes, touched) for write in writes]
    latest_start = max(start for start, _ in spans)
    return {
        plain(w.value) for w, (_, end) in zip(writes, spans, strict=True) if end >= latest_start
    }


def _span(write: Write, writes: list[Write], touched: list[float]) -> tuple[float, float]:
    if write.side == PLEZI:
        return write.start, write.end
    replaced = any(o.side == ZOHO and o.start > write.end for o in writes)
    end = write.end if replaced else max([write.end, *(t for t in touched if t > write.end)])
    return math.floor(write.start), end


def plain(value):
    """One spelling per value: blanks (and an unticked box) are None, numbers are text."""
    if value is None or value is False or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return value
    return str(value)
