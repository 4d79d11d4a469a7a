"""Scoring a model against labelled passages."""

from __future__ import annotations

from trendscore.modeling.cardnotes import themes_given
from trendscore.modeling.metrics import label_matrix, per_theme_scores
from trendscore.modeling.model import Model
from trendscore.seeds.files import keep_themes, read_seeds
from trendscore.wording import counted

__all__ = ["evaluate"]

#: fewest passages for "every label is the model's own" to be worth a warning
_OWN_OUTPUT_MIN = 20


def evaluate(model: Model, seed_paths) -> dict:
    """Per-theme precision/recall/F1 and micro/macro-F1 of ``model`` on labelled seed files.

    Macro-F1 averages the themes some passage is labelled or predicted with; the others, whose
    F1 the file leaves undefined, are named in ``macro_f1_left_out`` (macro-F1 is None when
    every theme is); micro-F1 is None when no passage is labelled or predicted with any theme.

    Passages the model was trained on (its card lists them; a provisional theme's examples too)
    would score as if learned by heart:
    the figures are on the other passages (``n`` of them), and ``trained_on`` gives how many
    were set aside with their figures apart. ``warnings`` says when that happened, and when
    every label of the other passages (at least 20) equals the model's own answer (the file is
    most likely its own output; on its training seeds a fitted model gives their labels back,
    so those say nothing of it). ``provisional`` names the model's provisional themes (made
    from a few examples, not trained) when it has any.

    A label that is no theme of the model is refused, naming its line, unless the model was
    trained on themes given to it: training took its seeds' other labels off (such a seed was
    an example of none of the themes), and so does this, with a warning naming them.
    """
    from trendscore.text.keys import text_key

    seeds = read_seeds(seed_paths)
    unknown = sorted({lab for s in seeds for lab in s.labels} - set(model.themes))
    taken_off = None
    given = themes_given(model.card)
    if unknown and given and not _alike(unknown, model.themes):
        # trained on the themes given, the model learnt every other label as none of its themes
        seeds, ignored, touched = keep_themes(seeds, model.themes)
        names = ", ".join(f"{label} ({n})" for label, n in list(ignored.items())[:5])
        names += f" and {len(ignored) - 5} more" if len(ignored) > 5 else ""
        taken_off = (
            f"the model was trained on the themes given ({', '.join(given)}), its seeds' other labels "
            f"taken off: so were these, from {counted(touched, 'passage')}: {names}"
        )
        unknown = []
    if unknown:
        first = next(s for s in seeds if set(s.labels) & set(unknown))
        from trendscore.errors import SeedError, quoted

        more = f" ({len(unknown)} names)" if len(unknown) > 3 else ""
        themes = ", ".join(model.themes)
        themes = themes if len(themes) <= 80 else themes[:80] + "..."
        alike = _alike(unknown, model.themes)
        hint = f"; {alike[0][0]!r} is the model's {alike[0][1]!r} written another way" if alike else ""
        raise SeedError(
            f"labels {quoted(unknown)}{more} are not themes of the model ({themes}){hint}", first.path, first.line
        )
    pred = model.labels_from_proba(model.predict_proba([s.text for s in seeds]))
    trained = set((model.card or {}).get("trained_on", []))
    # a provisional theme learned from its examples as a trained theme from its seeds
    examples = model.example_keys() - trained
    keys = [text_key(s.text) for s in seeds]
    seen = [k in trained or k in examples for k in keys]
    where = "the model's training seeds"
    if not examples.isdisjoint(keys):
        where += " or a provisional theme's examples"

    def figures(pick: bool) -> dict:
        rows = [i for i, flag in enumerate(seen) if flag == pick]
        return per_theme_scores(
            label_matrix([list(seeds[i].labels) for i in rows], model.themes),
            label_matrix([pred[i] for i in rows], model.themes),
            model.themes,
            defined_only=True,
        )

    warnings = [taken_off] if taken_off else []
    n_seen = sum(seen)
    if n_seen == len(seeds):
        scores = figures(True)
        warnings.append(f"all {n_seen} passages were in {where}: these figures say little")
        scores["trained_on"] = {"n": n_seen}
    else:
        scores = figures(False)
        if n_seen:
            warnings.append(
                f"{n_seen} of {len(seeds)} passages were in {where}: "
                "figures are on the other passages, those apart under trained_on"
            )
            scores["trained_on"] = {"n": n_seen, **figures(True)}
    # a fitted model gives back its training labels, so only the other passages hint at its own output
    fresh = [i for i, flag in enumerate(seen) if not flag]
    if len(fresh) >= _OWN_OUTPUT_MIN and all(sorted(pred[i]) == sorted(seeds[i].labels) for i in fresh):
        warnings.append("every label equals the model's own answer: is this file its own output?")
    scores["warnings"] = warnings
    if model.provisional:  # learned from a few examples, not trained: every output marks them
        scores["provisional"] = [p.name for p in model.provisional]
    return scores


def _alike(labels: list[str], themes: list[str]) -> list[tuple[str, str]]:
    """The ``labels`` that are one of ``themes`` written another way, each with that theme."""
    from trendscore.modeling.modelcheck import theme_spelling

    spelt = {theme_spelling(t): t for t in themes}
    return [(u, spelt[theme_spelling(u)]) for u in labels if theme_spelling(u) in spelt]
