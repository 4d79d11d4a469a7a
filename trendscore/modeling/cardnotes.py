"""What a model card says to the person who trained it, as sentences: seed labels left out,
themes with too few seeds for their calibration folds, cross-validation folds skipped, and the
settings the search chose, and the learning curve. ``trendscore train`` prints them; they are read off the card, so
they can be shown again for any saved model."""

from __future__ import annotations

from trendscore.wording import counted, plural

__all__ = [
    "provisional_names",
    "seeds_carry",
    "themes_given",
    "ignored_labels",
    "few_seeds",
    "weak_themes",
    "skipped_folds",
    "undated_reports",
    "label_conflicts",
    "multilabel_by",
    "card_notes",
    "search_summary",
    "curve_lines",
]


def themes_given(card: dict) -> list[str]:
    """The themes a model was trained on when they were given to it (``train --themes``: its
    seeds' other labels were taken off), as its card records them; else an empty list."""
    seeds = (card or {}).get("seeds")
    given = seeds.get("themes_given") if isinstance(seeds, dict) else None
    return [str(t) for t in given] if isinstance(given, list) else []


def ignored_labels(card: dict) -> str | None:
    """What a model card says of the seed labels its given themes left out, as a sentence (the
    five commonest named); None when none was."""
    seeds = card.get("seeds") or {}
    ignored = seeds.get("ignored") or {}
    if not ignored.get("seeds"):
        return None
    counts = sorted(ignored["labels"].items(), key=lambda kv: (-kv[1], kv[0]))
    names = ", ".join(f"{name} ({n})" for name, n in counts[:5])
    if len(counts) > 5:
        names += f" and {len(counts) - 5} more"
    return (
        f"ignored {counted(sum(ignored['labels'].values()), 'label')} on {counted(ignored['seeds'], 'seed')}, "
        f"of themes not listed: {names}; {seeds_carry(seeds.get('no_label'))} none of the themes"
    )


def few_seeds(card: dict) -> str | None:
    """What a model card says of the themes with fewer seeds than calibration folds, as a
    sentence; None when every theme has enough. Such a theme is calibrated over as many folds
    as it has seeds (on the seeds it was fitted on, with one)."""
    folds = (card.get("params") or {}).get("cv")
    per_theme = (card.get("seeds") or {}).get("per_theme") or {}
    if not isinstance(folds, int) or folds < 2:
        return None
    few = sorted(((n, t) for t, n in per_theme.items() if isinstance(n, int) and n < folds), key=lambda x: (x[0], x[1]))
    if not few:
        return None
    names = ", ".join(f"{t} ({n})" for n, t in few[:5]) + (f" and {len(few) - 5} more" if len(few) > 5 else "")
    return (
        f"too few seeds for the {folds} calibration folds: {names}; each of these themes is calibrated over "
        "as many folds as it has seeds (one seed: on the seeds it was fitted on); label more seeds with these themes"
    )


#: a theme whose cross-validated F1 is below this is said to be hardly recognised
WEAK_F1 = 0.3


def weak_themes(card: dict) -> str | None:
    """What a model card says of the themes its own cross-validation hardly recognises (F1 under
    :data:`WEAK_F1` on the held-out folds), as a sentence with each theme's F1, recall and seeds;
    None when there are none or the card has no cross-validation. Such a theme's labels on new
    text are mostly missing or wrong, which nothing else in ``train``'s output said."""
    themes = (card.get("cross_validation") or {}).get("themes") or {}
    per_theme = (card.get("seeds") or {}).get("per_theme") or {}
    weak = []
    for name, figures in themes.items():
        f1 = figures.get("f1") if isinstance(figures, dict) else None
        if isinstance(f1, (int, float)) and f1 < WEAK_F1:
            weak.append((f1, name, figures.get("recall"), per_theme.get(name, figures.get("support"))))
    if not weak:
        return None
    weak.sort(key=lambda w: (w[0], w[1]))

    def one(f1, name, recall, seeds) -> str:
        recall_text = f", recall {recall:.2f}" if isinstance(recall, (int, float)) else ""
        seeds_text = f" on its {counted(seeds, 'seed')}" if isinstance(seeds, int) else ""
        return f"{name} (F1 {f1:.2f}{recall_text}{seeds_text})"

    names = "; ".join(one(*w) for w in weak[:5]) + (f"; and {len(weak) - 5} more" if len(weak) > 5 else "")
    return (
        f"hardly recognised in cross-validation: {names}; the model's labels for these themes on new text will be "
        "mostly missing or wrong: label more seeds about them"
    )


def skipped_folds(card: dict) -> list[str]:
    """What a model card says of cross-validation folds skipped (their training seeds carried
    one label only), one sentence per kind of figure that skipped any."""
    out = []
    for key, what in (("cross_validation", "cross-validation"), ("leave_one_file_out", "leave-one-file-out")):
        figures = card.get(key) or {}
        skipped = figures.get("skipped_folds")
        if not skipped:
            continue
        # folds with nothing to train on (a card that names no label skipped only such folds)
        empty = skipped.get("no_training") or (skipped if not skipped["labels"] else {"count": 0, "seeds": 0})
        if empty["count"]:  # leave-one-file-out folds left with nothing to train on
            those = _those_folds(empty["count"])
            out.append(
                f"{what} skipped {empty['count']} of its {counted(figures.get('folds'), 'fold')}: every report of "
                "the file tested had passages in the other files, leaving nothing to train on; its figures leave "
                f"out {those} {counted(empty['seeds'], 'seed')}"
            )
        if skipped["count"] == empty["count"]:
            continue
        labels = ", ".join(f"{t} ({n})" for t, n in list(skipped["labels"].items())[:5])
        those = _those_folds(skipped["count"] - empty["count"])
        out.append(
            f"{what} skipped {skipped['count'] - empty['count']} of its {counted(figures.get('folds'), 'fold')}: "
            f"every seed of {labels} fell on a fold's test side, leaving one label to train on; its figures leave "
            f"out {those} {counted(skipped['seeds'] - empty['seeds'], 'seed')}"
        )
    return out


def _those_folds(n) -> str:
    """``that fold's`` (one fold skipped) or ``those folds'``."""
    return plural(n, "that fold's", "those folds'")


def undated_reports(card: dict) -> str | None:
    """What a model card says of the real-report seeds its time split left out for want of a
    day, as a sentence naming how many and the first one's file:line; None when none was."""
    undated = (card.get("time_split") or {}).get("undated")
    if not undated:
        return None
    date = "no date" if undated.get("date") is None else f"date {undated['date']!r}"
    return (
        f"the time split left out {counted(undated['seeds'], 'real-report seed')} without a date that parses as a day "
        f"(first: {undated['first']}, {date}); its figure rests on the others; write their dates as YYYY-MM-DD"
    )


def label_conflicts(card: dict) -> str | None:
    """What a model card says of texts its seeds hold twice with other labels, as a sentence
    naming the first pair by file:line; None when there was none."""
    conflicts = (card.get("seeds") or {}).get("conflicts")
    if not isinstance(conflicts, dict) or not conflicts.get("texts"):
        return None
    n = conflicts["texts"]
    return (
        f"{counted(n, 'seed text')} {plural(n, 'is', 'are')} labelled two ways "
        f"(first: {conflicts.get('first')} {conflicts.get('labels')}, "
        f"{conflicts.get('with')} {conflicts.get('other')}); the model learnt both, each against the other: "
        "correct one, or mark the right one with 'replaces' (seeds validate lists them all)"
    )


def multilabel_by(card: dict) -> str | None:
    """What a model card says of the few seeds that made it multi-label (the rest carry one
    label each), as a sentence naming the first; None when there were none such."""
    few = (card.get("seeds") or {}).get("multilabel_by")
    if not isinstance(few, dict) or not few.get("seeds"):
        return None
    return (
        f"the model is multi-label (a passage may get no theme, or several) because {few['seeds']} of "
        f"{counted(few.get('of'), 'seed')} {plural(few['seeds'], 'does', 'do')} not carry exactly one label "
        f"(first: {few.get('first')}, labels "
        f"{few.get('labels')}); with one label on each seed it would be single-label and give every passage one"
    )


def provisional_names(card: dict) -> list[str]:
    """The names of the provisional themes (``themes add``) a card records; entries that are
    no record (a card edited by hand) are passed over."""
    records = (card or {}).get("provisional")
    return [str(n) for n, r in records.items() if isinstance(r, dict)] if isinstance(records, dict) else []


def provisional_kept(card: dict) -> list[str]:
    """What became of the provisional themes of the model trained over: each that stays
    provisional (too few seeds carry its label), with its examples and the bar that folds it
    in, and each folded in (from now on an ordinary theme); empty when there were none."""
    notes = []
    for name, record in (card.get("provisional") or {}).items():
        if isinstance(record, dict) and "fold_in_at_seeds" in record:
            notes.append(
                f"theme {name!r} stays provisional, learned again from {counted(record.get('examples'), 'example')} "
                f"(its own and the seeds labelled with it); train folds it in once "
                f"{seeds_carry(record['fold_in_at_seeds'])} its label"
            )
    for name in card.get("folded_in") or []:
        notes.append(f"theme {name!r}, provisional until now, is trained on its seeds from now on")
    return notes


def seeds_carry(n) -> str:
    """``1 seed carries`` or ``3 seeds carry``."""
    return f"{counted(n, 'seed')} {plural(n, 'carries', 'carry')}"


def card_notes(card: dict) -> list[str]:
    """The notes ``train`` shows on a model card: seed labels left out (:func:`ignored_labels`),
    themes with too few seeds for their calibration folds (:func:`few_seeds`), themes the
    cross-validation hardly recognises (:func:`weak_themes`),
    cross-validation folds skipped (:func:`skipped_folds`), real-report seeds the time
    split left out undated (:func:`undated_reports`), texts labelled two ways
    (:func:`label_conflicts`, first), the few seeds that made the model multi-label
    (:func:`multilabel_by`) and the provisional themes kept or folded in (:func:`provisional_kept`)."""
    notes = (
        label_conflicts(card),
        multilabel_by(card),
        ignored_labels(card),
        few_seeds(card),
        weak_themes(card),
        *skipped_folds(card),
        undated_reports(card),
        *provisional_kept(card),
    )
    return [note for note in notes if note]


def search_summary(card: dict) -> str | None:
    """What a model card says of its search of the settings, as a sentence: the settings
    chosen (those left empty, such as no sentence encoder, not named), the folds, the
    candidates and how many the budget skipped; None when there was no search."""
    sel = card.get("selection") or {}
    if "chosen" not in sel:
        return None
    from trendscore.modeling.selection import SEARCHED

    # in the search's order, whether the card is the one just made or one read back (its keys sorted)
    place = {name: i for i, name in enumerate(SEARCHED)}
    settings = sorted(sel["chosen"].items(), key=lambda kv: place.get(kv[0], len(place)))
    chosen = ", ".join(f"{k}={v}" for k, v in settings if v not in ("", None))
    n = len(sel["candidates"])
    return (
        f"Chose {chosen or 'no setting'} by {sel['folds']}-fold cross-validation over {counted(n, 'candidate')} "
        f"({sel['skipped_for_budget']} skipped for the {sel['budget_s']:g} s budget)"
    )


def curve_lines(card: dict) -> list[str]:
    """The model card's learning curve, one line a subset of the seeds: its cross-validated
    macro-F1, or that it was not computable and why (no fold of it made a model); empty when
    the card has no curve."""
    out = []
    for row in card.get("learning_curve") or []:
        head = f"learning curve: {row['share']:.0%} of seeds ({row['passages']})"
        if row.get("macro_f1") is None:
            out.append(f"{head}: not computable, {row.get('skipped') or 'no figure'}")
        else:
            out.append(f"{head}: macro-F1 {row['macro_f1']:.3f}")
    return out
