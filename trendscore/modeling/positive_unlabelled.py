"""Learning a theme from a few example passages and seeds that do not say which have it.

A new theme's passages are already among the model's seeds, unlabelled: the seeds are not
negatives but *unlabelled* passages (positive-unlabelled learning). The theme is learned in
steps, all from the examples and the seeds, never from the passages it will label:

1. **Reliable negatives.** Each seed's closeness to the examples is the mean cosine
   similarity of its :data:`NEAREST` nearest examples (sentence-encoder vectors). Every
   example is scored the same way against the other examples; seeds less close than the
   least close example are taken as negatives (the rest stay unlabelled, unused).
2. **A linear model** (logistic regression, classes weighted equally) of examples against
   reliable negatives, on the model's TF-IDF columns (words and character n-grams) beside the
   passage's unit encoder vector.
3. **Self-training**, :data:`ROUNDS` times: the seeds the model accepts, the most likely
   :data:`GROW` share of them, join the examples as positives (and leave the negatives), and
   the model is fitted again.
   Which seeds are accepted in a round is decided by the cut that accepts :data:`RECALL` of
   the examples, each scored by a model fitted without it (up to 10 folds over the examples).
4. **The threshold** accepts the share ``prevalence`` of the seeds, the most likely first: the
   caller's guess of how common the theme is among them. When every seed is a reliable
   negative (none is as close to the examples as they are to one another: a theme new to
   the seeds as well as to the model), that guess is wrong, and taking that share of seeds
   that hold none of the theme would give it to most passages; the threshold is then the
   cut that accepts :data:`RECALL` of the examples, each scored by a model fitted without it.

The steps and settings were chosen on four themes held out of the bundled seeds in turn
(policy, technology, regional_hub, culture), never on the passages of the theme the goal
names; BENCHMARKS.md ("Provisional themes") gives the figures, those of the alternatives
tried, and how far short of a trained theme the result falls.
"""

from __future__ import annotations

from dataclasses import dataclass

from trendscore.errors import InputError

__all__ = ["NEAREST", "ROUNDS", "GROW", "RECALL", "Learned", "learn_theme", "closeness", "reliable_negatives"]

#: nearest examples whose similarities are averaged into a seed's closeness (step 1)
NEAREST = 3
#: rounds of self-training (step 3)
ROUNDS = 2
#: share of the accepted seeds (most likely first) taken as positives in each round
GROW = 0.5
#: share of the examples the cut of a self-training round accepts, each scored by a model that did not see it
RECALL = 0.8
#: most folds over the examples when the cut is chosen
FOLDS = 10
#: fewest reliable negatives; with fewer, the least close half of the seeds is taken
MIN_NEGATIVES = 20


@dataclass
class Learned:
    """A fitted theme: ``terms`` weighs the TF-IDF columns, ``vector`` the unit encoder
    vector; ``threshold`` is the cut on ``1 / (1 + exp(-(x . weights + intercept)))``.
    ``negatives`` and ``positives`` count the reliable negatives and the examples plus the
    seeds taken as positives in the last round; ``threshold_from`` says whether the threshold came from the
    guessed ``"prevalence"`` or, no seed being like the examples, from the ``"examples"``."""

    terms: object
    vector: object
    intercept: float
    threshold: float
    negatives: int
    positives: int
    threshold_from: str = "prevalence"


def closeness(vectors, examples, nearest: int = NEAREST, exclude_self: bool = False):
    """Mean of each row's ``nearest`` largest cosine similarities to ``examples`` (unit
    vectors both; the diagonal left out when a set is compared with itself)."""
    import numpy as np

    sim = np.asarray(vectors) @ np.asarray(examples).T
    if exclude_self:
        np.fill_diagonal(sim, -np.inf)
    k = max(1, min(nearest, sim.shape[1] - (1 if exclude_self else 0)))
    return (-np.sort(-sim, axis=1)[:, :k]).mean(axis=1)


def reliable_negatives(example_vectors, seed_vectors):
    """Which seeds are taken as negatives: those less close to the examples than the least
    close example is to the others (the least close half of the seeds when that leaves
    fewer than :data:`MIN_NEGATIVES`). A seed identical to an example is never one."""
    import numpy as np

    near = closeness(seed_vectors, example_vectors)
    bar = closeness(example_vectors, example_vectors, exclude_self=True).min()
    negative = near < bar
    if negative.sum() < min(MIN_NEGATIVES, len(near)):
        negative = near < np.median(near)
    copies = (np.asarray(seed_vectors) @ np.asarray(example_vectors).T).max(axis=1) >= 1.0 - 1e-6
    return negative & ~copies


def _rows(a, b):
    from scipy.sparse import vstack

    return vstack([a, b]).tocsr()


def _fit(x, y):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", random_state=0, max_iter=1000).fit(
        x, y
    )


def _stack(pos, neg):
    import numpy as np
    from scipy.sparse import vstack

    return vstack([pos, neg]).tocsr(), np.r_[np.ones(pos.shape[0]), np.zeros(neg.shape[0])]


def _held_out_probabilities(examples, extra, negatives):
    """Each example's probability from a model fitted without it (its fold of up to
    :data:`FOLDS`), the other examples, the ``extra`` positives and ``negatives`` kept."""
    import numpy as np
    from scipy.sparse import vstack

    n = examples.shape[0]
    folds = np.arange(n) % min(FOLDS, n)
    out = np.empty(n)
    for f in np.unique(folds):
        out_f = folds == f
        pos = vstack([examples[~out_f], extra]).tocsr()
        out[out_f] = _fit(*_stack(pos, negatives)).predict_proba(examples[out_f])[:, 1]
    return out


def learn_theme(example_terms, example_vectors, seed_terms, seed_vectors, prevalence: float) -> Learned:
    """The theme of the examples (TF-IDF rows ``example_terms``, unit encoder vectors
    ``example_vectors``) learned against the unlabelled seeds (``seed_terms``,
    ``seed_vectors``; none of them an example), of which a share ``prevalence`` is taken to
    have the theme, as the module's text says."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    examples = hstack([csr_matrix(example_terms), csr_matrix(example_vectors)]).tocsr()
    seeds = hstack([csr_matrix(seed_terms), csr_matrix(seed_vectors)]).tocsr()
    negative = reliable_negatives(example_vectors, seed_vectors)
    if not negative.any():
        raise InputError(f"none of the {len(negative)} seeds is unlike the examples; the theme needs seeds without it")
    taken = np.zeros(len(negative), dtype=bool)  # seeds taken as positives
    model = _fit(*_stack(examples, seeds[negative]))
    for _ in range(ROUNDS):
        held_out = _held_out_probabilities(examples, seeds[taken], seeds[negative & ~taken])
        cut = float(np.quantile(held_out, 1 - RECALL))
        p = model.predict_proba(seeds)[:, 1]
        accepted = np.flatnonzero(p >= cut)
        best = accepted[np.argsort(-p[accepted], kind="stable")][: int(GROW * len(accepted))]
        taken = np.zeros(len(negative), dtype=bool)
        taken[best] = True
        model = _fit(*_stack(_rows(examples, seeds[taken]), seeds[negative & ~taken]))
    p = model.predict_proba(seeds)[:, 1]
    held_out = _held_out_probabilities(examples, seeds[taken], seeds[negative & ~taken])
    cut = float(np.quantile(held_out, 1 - RECALL))
    if negative.all():  # no seed is like the examples: the seeds hold none of the theme
        threshold, source = cut, "examples"
    else:
        threshold = float(np.quantile(p, 1 - min(max(prevalence, 0.0), 1.0), method="higher"))
        source = "prevalence"
    width = example_terms.shape[1]
    coef = model.coef_[0]
    return Learned(
        terms=np.array(coef[:width], dtype=np.float64),
        vector=np.array(coef[width:], dtype=np.float64),
        intercept=float(model.intercept_[0]),
        threshold=min(max(threshold, 0.0), 1.0),
        negatives=int((negative & ~taken).sum()),
        positives=int(examples.shape[0] + taken.sum()),
        threshold_from=source,
    )
