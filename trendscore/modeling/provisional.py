"""Provisional themes: a new theme from a handful of example passages, usable at once.

``trendscore themes add NAME --examples FILE`` needs no retraining. The theme is a logistic
regression on the model's TF-IDF columns and the passage's sentence-encoder vector
(``use-m3``, the ``accurate`` extra), learned from the examples against the seeds the model
was trained on. Those seeds are not negatives: the new theme's passages are among them,
unlabelled. :mod:`trendscore.modeling.positive_unlabelled` takes as negatives only the seeds
less close to the examples than any example is to the others, takes the seeds the first fit
is surest of as further positives, and sets the threshold where it accepts as large a share of
the seeds as the model's other themes hold on average. Nothing of the passages to be labelled
is used.

A provisional theme is marked as such wherever the model's output goes (label records,
score tables, the report, the card). ``trendscore train`` into a model folder that holds
one keeps it provisional (learned again against the new seeds) while the seeds carry fewer than
:data:`FOLD_IN` passages labelled with it, and fits it as an ordinary theme from then on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trendscore.errors import Hint, InputError, ModelError, hinted
from trendscore.wording import counted

if TYPE_CHECKING:
    from trendscore.modeling.model import Model
    from trendscore.modeling.positive_unlabelled import Learned

__all__ = [
    "MIN_EXAMPLES",
    "FOLD_IN",
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
#: seeds labelled with a provisional theme from which ``train`` fits it as an ordinary theme.
#: On the real-report time split (the learning curve in BENCHMARKS.md, "Provisional themes"),
#: with the other seeds leaving the theme unlabelled, the trained theme scored below the
#: provisional one up to 120 seeds, level with it at 160 (0.597 against 0.609, within the
#: draws' ranges) and above it from 200 (0.733 against 0.619); with the theme's other
#: passages absent from the seeds it is ahead from 20. 160 folds in where the two meet.
FOLD_IN = 160
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


def _terms(featurizer, texts: Sequence[str]):
    """The TF-IDF rows of ``texts`` in ``featurizer``'s columns (a sparse matrix)."""
    from scipy.sparse import csr_matrix

    row, col, weight = featurizer.tfidf_coo(list(texts))
    return csr_matrix((weight, (row, col)), shape=(len(texts), featurizer.n_terms))


@dataclass
class ProvisionalTheme:
    """A theme learned from example passages (see the module's text).

    A passage's probability is ``1 / (1 + exp(-z))`` with ``z`` its TF-IDF row (the model's
    columns) times ``terms``, plus its unit encoder vector times ``vector``, plus
    ``intercept``; it gets the theme from ``threshold``.
    """

    name: str
    examples: list[str]
    terms: object = field(repr=False)
    vector: list[float] = field(repr=False)
    intercept: float
    threshold: float
    encoder: str = ENCODER
    _vectors: object = field(default=None, repr=False, compare=False)

    def _example_vectors(self):
        if self._vectors is None:
            self._vectors = _unit_vectors(self.encoder, self.examples)
        return self._vectors

    def proba(self, texts: Sequence[str], tfidf):
        """Probability of the theme for each text, given the texts' TF-IDF triplets ``tfidf``
        ((row, column, weight), as the model's featurizer makes them; columns past the
        TF-IDF ones are ignored)."""
        import numpy as np

        if not texts:
            return np.zeros(0)
        row, col, weight = tfidf
        terms = np.asarray(self.terms)
        keep = col < len(terms)
        z = np.bincount(row[keep], weights=weight[keep] * terms[col[keep]], minlength=len(texts))
        z = z + _unit_vectors(self.encoder, texts) @ np.asarray(self.vector) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def unit_vector(self, text: str):
        """``text``'s unit encoder vector, as :meth:`proba` uses it (for :meth:`pushes` and
        :meth:`nearest_example`, so that one explanation encodes the text once)."""
        return _unit_vectors(self.encoder, [text])[0]

    def pushes(self, vector, weights: dict[int, float], names: Sequence[str], embedding: str) -> dict[str, float]:
        """What moved a text's log-odds of the theme, term by term: each TF-IDF column's
        weight in ``weights`` (column -> weight, as the model's featurizer gives them) times the
        theme's coefficient, summed over columns of the same name in ``names``, and the push of
        its unit encoder ``vector`` (:meth:`unit_vector`) as one term named ``embedding``. With
        the intercept they sum to the log-odds :meth:`proba` gives."""
        import numpy as np

        terms = np.asarray(self.terms)
        out: dict[str, float] = {}
        for c, w in weights.items():
            if c < len(terms) and terms[c]:
                out[names[c]] = out.get(names[c], 0.0) + w * float(terms[c])
        out[embedding] = float(vector @ np.asarray(self.vector))
        return out

    def nearest_example(self, text: str, vector=None) -> tuple[str, float]:
        """The example closest to ``text`` and its cosine similarity (for explanations);
        ``vector``, the text's :meth:`unit_vector` when already computed."""
        if vector is None:
            vector = self.unit_vector(text)
        sims = self._example_vectors() @ vector
        j = int(sims.argmax())
        return self.examples[j], float(sims[j])

    def to_json(self) -> dict:
        """The theme as the plain JSON model.json keeps (its TF-IDF weights go to an array file)."""
        return {
            "name": self.name,
            "encoder": self.encoder,
            "vector": [float(x) for x in self.vector],
            "intercept": float(self.intercept),
            "threshold": float(self.threshold),
            "examples": list(self.examples),
        }

    @classmethod
    def from_json(cls, data: dict, terms) -> ProvisionalTheme:
        """The theme a model.json entry (from :meth:`to_json`) and its TF-IDF weights describe."""
        return cls(
            data["name"], list(data["examples"]), terms, list(data["vector"]), data["intercept"], data["threshold"],
            data["encoder"],
        )


def check_provisional(value, themes: list[str], path) -> None:
    """Refuse a ``provisional`` field of model.json that is not a list of well-formed themes."""
    from trendscore.modeling.modelcheck import THEME_NAME
    from trendscore.text.embedding import ENCODER_DIMS, ENCODERS

    def fail(what: str):
        raise ModelError(f"{path}: 'provisional' {what}")

    if not isinstance(value, list):
        fail(f"must be a list, got {type(value).__name__}")
    names = list(themes)
    keys = {"name", "encoder", "vector", "intercept", "threshold", "examples", "identity"}
    for n, item in enumerate(value, 1):
        if isinstance(item, dict) and "nearest" in item and "vector" not in item:
            fail(f"entry {n} was made by an earlier trendscore (from nearest examples); make the theme again "
                 "with trendscore themes add")
        if not isinstance(item, dict) or set(item) != keys:
            fail(f"entry {n} must be an object with exactly the fields {sorted(keys)}")
        name = item["name"]
        if not isinstance(name, str) or not THEME_NAME.fullmatch(name) or name in names:
            fail(f"entry {n}: theme name {name!r} is not a new name")
        names.append(name)
        if not isinstance(item["encoder"], str) or item["encoder"] not in ENCODERS:
            fail(f"entry {n}: unknown encoder {item['encoder']!r}")
        if not isinstance(item["identity"], dict):
            fail(f"entry {n}: 'identity' must be an object")
        vector, dims = item["vector"], ENCODER_DIMS[item["encoder"]]
        if not (isinstance(vector, list) and len(vector) == dims and all(_finite(x) for x in vector)):
            fail(f"entry {n}: 'vector' must be {dims} finite numbers, one per dimension of {item['encoder']}")
        if not _finite(item["intercept"]):
            fail(f"entry {n}: 'intercept' must be a finite number")
        if not (_finite(item["threshold"]) and 0 <= item["threshold"] <= 1):
            fail(f"entry {n}: 'threshold' must be a number from 0 to 1")
        examples = item["examples"]
        if not (isinstance(examples, list) and MIN_EXAMPLES <= len(examples) <= MAX_EXAMPLES):
            fail(f"entry {n}: 'examples' must list {MIN_EXAMPLES} to {MAX_EXAMPLES} passages")
        if not all(isinstance(t, str) and t.strip() for t in examples):
            fail(f"entry {n}: every example must be a non-blank string")


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def provisional_theme(
    name: str, examples: Sequence[str], seeds: Sequence[str], featurizer, prevalence: float, encoder: str = ENCODER
) -> tuple[ProvisionalTheme, Learned]:
    """A provisional theme from ``examples`` (at least :data:`MIN_EXAMPLES` distinct non-blank
    passages), learned against the unlabelled ``seeds`` in ``featurizer``'s TF-IDF columns
    and ``encoder``'s vectors, its threshold accepting a share ``prevalence`` of the seeds
    (:mod:`trendscore.modeling.positive_unlabelled`); and what the learning found (for the card)."""
    from trendscore.modeling.positive_unlabelled import learn_theme

    examples = list(dict.fromkeys(t for t in examples if t.strip()))
    if len(examples) < MIN_EXAMPLES:
        raise InputError(f"a provisional theme needs at least {MIN_EXAMPLES} distinct non-blank examples, "
                         f"got {len(examples)}")
    if len(examples) > MAX_EXAMPLES:
        raise InputError(f"at most {MAX_EXAMPLES} examples, got {len(examples)}; train the theme on seeds instead")
    own = set(examples)
    unlabelled = sorted({t for t in seeds if t.strip() and t not in own})
    if not unlabelled:
        raise InputError("no passages to learn against: the model's seeds are needed")
    example_vectors = _unit_vectors(encoder, examples)
    seed_terms, seed_vectors = _terms(featurizer, unlabelled), _unit_vectors(encoder, unlabelled)
    learned = learn_theme(_terms(featurizer, examples), example_vectors, seed_terms, seed_vectors, prevalence)
    vector = [float(x) for x in learned.vector]  # type: ignore[attr-defined]
    theme = ProvisionalTheme(name, examples, learned.terms, vector, learned.intercept, learned.threshold, encoder)
    theme._vectors = example_vectors
    return theme, learned


def _prevalence(seeds, themes: list[str]) -> float:
    """How common the model's themes are among its seeds, on average over the themes that
    some seed carries (0.2 when none does)."""
    counts = [sum(t in s.labels for s in seeds) for t in themes]
    counts = [c for c in counts if c]
    if not seeds or not counts:
        return 0.2
    return sum(counts) / (len(counts) * len(seeds))


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
    calibrated on ``seeds`` (the model's own). The copy's card records it, and the version of
    its encoder's package among the card's ``versions`` (unless the model's own encoder, of the
    same package, is recorded there). ``name`` follows the rule of seed labels
    (:func:`~trendscore.modeling.modelcheck.theme_name_problem`)."""
    from trendscore.extras import installed_version
    from trendscore.modeling.modelcheck import new_theme_problem
    from trendscore.modeling.stamp import check_source_date_epoch, created_stamp
    from trendscore.text.embedding import ENCODERS

    check_source_date_epoch()
    problem = new_theme_problem(name, model.themes)
    if problem is not None:
        raise InputError(problem)
    if not model.multilabel:
        raise InputError("a single-label model answers exactly one label; provisional themes need a multi-label model")
    linear = model.themes[: len(model.intercept)]
    unlabelled = [s.text for s in seeds if name not in s.labels]
    prevalence = _prevalence(seeds, linear)
    theme, learned = provisional_theme(name, examples, unlabelled, model.featurizer, prevalence)
    card = dict(model.card)
    record = {
        "examples": len(theme.examples),
        "encoder": theme.encoder,
        "seeds": len(set(unlabelled) - set(theme.examples)),
        "reliable_negatives": learned.negatives,
        "positives_after_self_training": learned.positives,
        "threshold": round(theme.threshold, 6),
        "assumed_prevalence": round(prevalence, 4),
        "threshold_from": learned.threshold_from,
        "method": "positive-unlabelled: reliable negatives, TF-IDF + encoder logistic regression, self-training",
        "fold_in_at_seeds": FOLD_IN,
        "added": created_stamp(),  # the card's 'created' stays the trained model's
    }
    card["provisional"] = {**(card.get("provisional") or {}), name: record}
    package = ENCODERS[theme.encoder]
    if package not in (card.get("versions") or {}):  # trained without it: recorded for this theme
        card["versions"] = {**(card.get("versions") or {}), package: installed_version(package)}
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


def load_provisional(value, themes: list[str], multilabel, path, terms=None) -> list[ProvisionalTheme]:
    """The provisional themes of a model.json, refused when malformed or when the installed
    encoder is not the one they were made with. ``terms`` holds their TF-IDF weights, one
    column a theme (None: themes kept only for their names and examples, as ``train`` keeps them)."""
    from trendscore.text.embedding import encoder_identity

    if multilabel is not True:
        raise ModelError(f"{path}: a single-label model cannot have provisional themes")
    check_provisional(value, themes, path)
    out = []
    for n, item in enumerate(value):
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
        out.append(ProvisionalTheme.from_json(item, None if terms is None else terms[:, n].copy()))
    return out


def carried_themes(directory) -> list[ProvisionalTheme]:
    """The provisional themes of the model in ``directory`` (none when there is no readable
    model there): what ``train`` into that folder keeps or folds in (their names and examples;
    ``train`` learns them again on its new model)."""
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


def read_examples(path: str) -> list[str]:
    """The example passages of a file (JSON Lines, CSV, Parquet or text, as ``label`` reads
    them): distinct non-blank texts, at least :data:`MIN_EXAMPLES`."""
    from trendscore.io.readers import read_records

    distinct: dict[str, None] = {}
    for record, _, _ in read_records(str(path)):
        if record["text"].strip():
            distinct[record["text"]] = None
            if len(distinct) > MAX_EXAMPLES:  # read no further: a file of millions had all been held first
                raise InputError(
                    f"more than {MAX_EXAMPLES} distinct example passages; train the theme on seeds instead", str(path)
                )
    if len(distinct) < MIN_EXAMPLES:
        raise InputError(
            f"{counted(len(distinct), 'distinct non-blank example passage')}; a provisional theme needs at least "
            f"{MIN_EXAMPLES}",
            str(path),
        )
    return list(distinct)


