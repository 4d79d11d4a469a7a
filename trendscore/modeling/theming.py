"""Adding a provisional theme to a saved model or a registry (``trendscore themes add``).

The theme itself is made in :mod:`trendscore.modeling.provisional`; this module finds the model and its
seeds, and writes the result where the user asked without touching the original.
"""

from __future__ import annotations

from pathlib import Path

from trendscore.errors import InputError
from trendscore.modeling.model import load_model
from trendscore.modeling.modelcheck import new_theme_problem, theme_name_problem
from trendscore.modeling.provisional import ENCODER, add_theme, model_seeds, read_examples
from trendscore.modeling.registry import Registry, resolve_model
from trendscore.modeling.store import check_model_target
from trendscore.text.embedding import require_encoder

__all__ = ["add_theme_to", "rebuild_steps"]


def add_theme_to(model_ref, name: str, examples_path: str, out=None, seed_paths=None, command: str = "") -> dict:
    """``trendscore themes add``: the model ``model_ref`` (a folder, registry or bundled name)
    with the provisional theme ``name`` from the examples in ``examples_path``, written to the
    new folder ``out``, or as the next version (and champion) of a registry. The original is
    never replaced. Returns where it went, the registry's new champion (None for a folder) and
    the theme's record in the card.

    ``command``, when given, is the command that added the theme: the new card records it as
    its ``command`` and, in ``steps``, after the steps that made the model it was added to
    (:func:`rebuild_steps`), so the card says how to make the model again, not only its base."""
    problem = theme_name_problem(name, "theme")  # the rule seed labels follow: the label CSV must give it back
    if problem is not None:
        raise InputError(problem)
    model = load_model(resolve_model(model_ref))
    problem = new_theme_problem(name, model.themes)  # one it has, or spells otherwise ('Esports' beside 'esports')
    if problem is not None:
        raise InputError(problem)
    registry = None
    if model_ref is not None and (Path(str(model_ref)) / "aliases.json").is_file() and out is None:
        registry = Registry(model_ref)
    elif out is None:
        raise InputError("give -o DIR, a new folder for the model with the theme (the original is kept)")
    else:
        if model.path is not None and Path(out).resolve() == Path(model.path).resolve():
            raise InputError("is the model's own folder; write the model with the theme to a new one", str(out))
        check_model_target(out)
    examples = read_examples(examples_path)
    require_encoder(ENCODER, f"a provisional theme with the {ENCODER!r} sentence encoder")  # before the seeds are read
    seeds = model_seeds(model, seed_paths)
    added = add_theme(model, name, examples, seeds)
    if command:
        added.card["steps"] = rebuild_steps(model.card, command)
        added.card["command"] = command
    champion = None
    if registry is not None:
        based_on = Path(model.path).name if model.path is not None else None  # the champion it was made from
        champion = registry.add(added, based_on)
        where = str(registry.path / "versions" / champion)
    else:
        where = str(added.save(out))
    return {"path": where, "theme": name, "champion": champion, **added.card["provisional"][name]}


def rebuild_steps(base_card: dict, command: str) -> list[str]:
    """The commands that make again a model made by ``command`` from the model whose card is
    ``base_card``, first to last: the base's own steps (its ``steps``, else its ``command``
    alone; none when it recorded neither), then ``command``.

    >>> rebuild_steps({"command": "trendscore train SEEDS -o OUT"}, "trendscore themes add x --model BASE -o OUT")
    ['trendscore train SEEDS -o OUT', 'trendscore themes add x --model BASE -o OUT']
    """
    steps = base_card.get("steps")
    if isinstance(steps, list) and all(isinstance(step, str) for step in steps):
        before = list(steps)
    else:
        before = [base_card["command"]] if isinstance(base_card.get("command"), str) else []
    return before + [command]
