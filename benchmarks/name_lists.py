"""Matching the curated name lists: the Aho-Corasick automaton against two peers (README's claim).

    python benchmarks/name_lists.py [--passages 20000] [--reps 5]

README says why trendscore depends on ahocorasick-rs: a regular expression of the same terms,
or pyahocorasick's automaton, would cost labelling far more. This script measures it. Every
matcher finds, per list, the mentions trendscore counts (leftmost first, longest first at one
start, overlapping mentions of one list once; a term with a Latin letter or digit at an end
needs a non-alphanumeric neighbour there) in the same normalised texts, in batches of
``trendscore.modeling.model.BATCH`` as labelling hands them over:

- trendscore: ``namelists.list_token_rows``, what labelling calls (ahocorasick-rs, one DFA over
  all lists, the counting done with numpy);
- regex: per list one compiled alternation of its terms, longest first, each Latin end guarded
  by a look-around, ``finditer`` over the batch joined by NUL (what a competent user of ``re``
  writes: one pattern a list, not one a term);
- pyahocorasick (only if installed: ``pip install pyahocorasick``): per list one automaton,
  ``iter_long`` (leftmost-longest, non-overlapping) over the joined batch, Latin ends checked
  on the few matches that have them.

The passages are built as benchmarks/label_floor.py builds its "passages" input (seed texts
joined until 150 characters, cut at 300); they are normalised once, before any timing. Each
matcher runs ``--reps`` times in this process, taking turns; the table gives the median
seconds over all passages, the mentions found (which must agree), and the whole labelling of
the same texts (``Model.label``, median of the same repetitions) for scale. The last column
adds to that labelling time what the matcher costs beyond trendscore's: what labelling would
take with that matcher in its place (an estimate from the stage times, not a run of it).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_passages  # noqa: E402


def _terms(names):
    """Per list, its terms normalised as texts are (two characters or more, as trendscore keeps)."""
    from trendscore.text.namelists import list_terms
    from trendscore.text.normalise import normalize_many

    return [sorted({t for t in normalize_many(list(list_terms(name))) if len(t) >= 2}) for name in names]


_LATIN = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def _trie_pattern(terms) -> str:
    """One regular expression for ``terms`` with their common prefixes merged (a trie written
    as nested groups), so that at each position ``re`` follows one branch instead of trying
    thousands of alternatives. All terms that match at one start are prefixes of each other,
    so trying the longer branches before ending a term gives the longest match there."""
    trie: dict = {}
    for t in terms:
        node = trie
        for ch in t:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node, ch: str) -> str:
        alts = [re.escape(c) + emit(child, c) for c, child in sorted(node.items()) if c]
        if "" in node:
            alts.append("(?![0-9a-z])" if ch in _LATIN else "")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    heads = []
    for c, child in sorted(trie.items()):
        heads.append(("(?<![0-9a-z])" if c in _LATIN else "") + re.escape(c) + emit(child, c))
    return "|".join(heads)


def regex_matcher(names, trie: bool = True):
    patterns = []
    for terms in _terms(names):
        if trie:
            patterns.append(re.compile(_trie_pattern(terms)))
            continue
        parts = []
        for t in sorted(terms, key=len, reverse=True):
            head = "(?<![0-9a-z])" if t[0] in _LATIN else ""
            tail = "(?![0-9a-z])" if t[-1] in _LATIN else ""
            parts.append(head + re.escape(t) + tail)
        patterns.append(re.compile("|".join(parts)))

    def count(batch: list[str]) -> int:
        joined = "\0".join(batch)
        return sum(sum(1 for _ in p.finditer(joined)) for p in patterns)

    return count


def pyahocorasick_matcher(names):
    import ahocorasick

    automata = []
    for terms in _terms(names):
        a = ahocorasick.Automaton()
        for t in terms:
            a.add_word(t, (len(t), t[0] in _LATIN, t[-1] in _LATIN))
        a.make_automaton()
        automata.append(a)

    def count(batch: list[str]) -> int:
        joined = "\0".join(batch)
        last = len(joined) - 1
        found = 0
        for a in automata:
            for end, (size, head, tail) in a.iter_long(joined):
                start = end - size + 1
                if head and start > 0 and joined[start - 1] in _LATIN:
                    continue
                if tail and end < last and joined[end + 1] in _LATIN:
                    continue
                found += 1
        return found

    return count


def trendscore_matcher(names):
    from trendscore.text.namelists import list_token_rows

    def count(batch: list[str]) -> int:
        return len(list_token_rows(batch, names)[0])

    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    import trendscore
    from trendscore.modeling.model import BATCH
    from trendscore.text.namelists import LISTS
    from trendscore.text.normalise import normalize_many

    texts = seed_passages(args.passages)
    normal = normalize_many(texts)
    batches = [normal[i : i + BATCH] for i in range(0, len(normal), BATCH)]
    raw_batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
    matchers = {
        "trendscore (ahocorasick-rs)": trendscore_matcher(LISTS),
        "regex (re, one trie-shaped pattern a list)": regex_matcher(LISTS),
        "regex (re, one plain alternation a list)": regex_matcher(LISTS, trie=False),
    }
    try:
        matchers["pyahocorasick (one automaton a list)"] = pyahocorasick_matcher(LISTS)
    except ImportError:
        print("pyahocorasick is not installed: its row is left out (pip install pyahocorasick)")
    model = trendscore.load_model()
    model.label(raw_batches[0][:8])  # loads the segmenter and builds the automata before timing
    for count in matchers.values():
        count(batches[0][:16])

    seconds: dict[str, list[float]] = {name: [] for name in matchers}
    found: dict[str, int] = {}
    labelling: list[float] = []
    for _ in range(args.reps):
        for name, count in matchers.items():
            t = time.perf_counter()
            found[name] = sum(count(b) for b in batches)
            seconds[name].append(time.perf_counter() - t)
        t = time.perf_counter()
        for b in raw_batches:
            model.label(b)
        labelling.append(time.perf_counter() - t)

    label_s = statistics.median(labelling)
    own = statistics.median(seconds["trendscore (ahocorasick-rs)"])
    print(f"{len(texts):,} passages of 150-300 characters, {args.reps} repetitions; {machine()}")
    print(f"labelling them (Model.label, default model, batches of {BATCH}): {label_s:.2f} s (median)")
    print()
    print(
        "| matcher | matching s (median) | mentions found | against trendscore's "
        "| labelling with it, estimated s | slower than today |"
    )
    print("|---|---|---|---|---|---|")
    for name in matchers:
        s = statistics.median(seconds[name])
        est = label_s - own + s
        print(f"| {name} | {s:.3f} | {found[name]:,} | {s / own:.1f}x | {est:.2f} | {est / label_s:.2f}x |")
    print()
    if len(set(found.values())) == 1:
        print("Every matcher found the same number of mentions.")
    else:
        print("The matchers found different numbers of mentions: the comparison does not hold.")


if __name__ == "__main__":
    main()
