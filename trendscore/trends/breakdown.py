"""Breakdowns: the same score for each outlet, language or place, and which calls one group carries.

``score --by source|lang|place`` counts every passage once more in the accumulator of its
group: its ``source``; its ``lang`` (or, when the record has none, "en" for a passage in
English and "zh" otherwise); or the first place (Chinese or foreign) it names. At most
:data:`MAX_GROUPS` groups are kept apart, the first met; later ones are counted together.
"""

from __future__ import annotations

from trendscore.trends.accumulate import Accumulator
from trendscore.trends.emerging import Reach
from trendscore.trends.outlets import outlet_key

__all__ = ["Groups", "BY", "MAX_GROUPS", "OTHER"]

BY = ("source", "lang", "place")
MAX_GROUPS = 30
OTHER = "(other)"
_PLACE_LISTS = ("cn_places", "foreign_places")


class Groups:
    """One accumulator per group of a breakdown (``reach`` as for :class:`Accumulator`)."""

    def __init__(self, by: str, themes: list[str], reach: Reach | None = None):
        if by not in BY:
            raise ValueError(f"unknown breakdown {by!r}; expected one of {', '.join(BY)}")
        self.by, self.themes = by, list(themes)
        self.accs: dict[str, Accumulator] = {}
        self.reach = reach

    def _key(self, record: dict, names) -> str | None:
        if self.by == "source":  # one outlet however it is spelled (named by its usual spelling)
            return outlet_key(record.get("source"))
        if self.by == "lang":
            value = record.get("lang")
            if isinstance(value, str) and value.strip():
                return value.strip()
            text = record.get("text")
            if not isinstance(text, str) or not text.strip():
                return None
            from trendscore.text.normalise import _is_english

            return "en" if _is_english(text) else "zh"
        return next((term for lst, term in names if lst in _PLACE_LISTS), None)

    def of(self, record: dict, names=()) -> Accumulator | None:
        """The accumulator of the record's group (None: the record has no group)."""
        key = self._key(record, names)
        if key is None:
            return None
        acc = self.accs.get(key)
        if acc is None:
            if len(self.accs) >= MAX_GROUPS:
                key = OTHER
                acc = self.accs.get(key)
            if acc is None:
                acc = self.accs[key] = Accumulator(self.themes, self.reach)
        return acc

    def scores(self, compute, overall: list[dict]) -> list[dict]:
        """Each group's calls (``compute(acc)`` scores one accumulator), largest group first;
        and, on the rows of ``overall`` called rising or falling where exactly one group makes
        the same call and every other group with enough passages to call it is steady, ``carried_by``
        (the groups with too few are named in the reason; when every other group has too few,
        nothing is said to carry the call)."""
        out: list[dict] = []
        untested: dict[str, set[str]] = {}  # theme -> groups with too few passages to call it
        for key, acc in self.accs.items():
            score = compute(acc)  # (counts what waits in acc's buffers: its outlet's spellings too)
            name = acc.outlet_name(key) if self.by == "source" and key != OTHER else key
            least = score.settings.get("min_passages", 0)
            for t in score.themes:
                if t["direction"] == "steady" and min(t["total_recent"], t["total_baseline"]) < least:
                    untested.setdefault(t["theme"], set()).add(name)
            out.append(
                {
                    "group": name,
                    "passages": acc.records,
                    "themes": [
                        {
                            k: t[k]
                            for k in ("theme", "direction", "momentum", "share_recent", "share_baseline", "reason")
                        }
                        for t in score.themes
                    ],
                }
            )
        out.sort(key=lambda g: (-g["passages"], g["group"]))
        for row in overall:
            if row["direction"] == "steady":
                continue
            same = [
                g["group"]
                for g in out
                for t in g["themes"]
                if t["theme"] == row["theme"] and t["direction"] == row["direction"]
            ]
            other = [
                g["group"]
                for g in out
                for t in g["themes"]
                if t["theme"] == row["theme"] and t["direction"] not in ("steady", row["direction"])
            ]
            if len(same) != 1 or other or same[0] == OTHER:
                continue
            # a group steady only for want of passages says nothing against the call: it is
            # named apart, and a call no other group could test is not said to be carried
            unknown = [g["group"] for g in out if g["group"] in untested.get(row["theme"], ())]
            if len(unknown) == len(out) - 1:
                continue
            row["carried_by"] = {self.by: same[0]}  # the key names the group behind a fall too
            verb = outlets_verb(row["direction"])
            if unknown:
                shown = ", ".join(unknown[:3]) + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
                row["reason"] += (
                    f"; {verb} one {self.by}, {same[0]}: every other {self.by} with enough passages to "
                    f"call it is steady on it ({shown}: too few to tell)"
                )
            else:
                row["reason"] += f"; {verb} one {self.by}, {same[0]}: every other {self.by} is steady on it"
        return out


def outlets_verb(direction: str) -> str:
    """How the outlets behind a call are introduced, by the call's direction: those of a rise
    carried it, those of a fall pulled it down (they ran fewer of the theme's passages).

    >>> outlets_verb("rising"), outlets_verb("falling")
    ('carried by', 'pulled down by')
    """
    return "pulled down by" if direction == "falling" else "carried by"
