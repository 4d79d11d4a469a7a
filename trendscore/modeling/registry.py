"""A registry of model versions with a champion alias: train a challenger, compare it with
the champion on held-out seeds neither has seen, promote it only if it is not worse.

Layout of a registry directory::

    versions/v0001/ ...      model directories (as written by Model.save)
    aliases.json             {"champion": "v0002", "history": ["v0001", "v0002"]}
    holdout.jsonl            seeds kept out of training for comparisons
    comparisons/v0002.json   what the comparison of v0002 with its champion found
    .lock                    held while training or changing the alias
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path

from trendscore.errors import ModelError, TrendscoreError
from trendscore.io.atomic import atomic_write_bytes, replace_dir, temp_dir_beside
from trendscore.io.wholefile import file_problem
from trendscore.modeling.cardnotes import provisional_names
from trendscore.modeling.model import BUNDLED, default_model_path, load_model
from trendscore.modeling.modelcheck import VERSION_NAME, check_card
from trendscore.modeling.store import load_json, model_dir_problem
from trendscore.seeds.files import Seed, read_seeds
from trendscore.wording import counted, plural

__all__ = ["Registry", "RegistryBusy", "HOLDOUT_SHARE", "resolve_model"]

HOLDOUT_SHARE = 5  # one seed in five (by a hash of its text) is held out
ALIASES = "aliases.json"
#: the largest aliases file read: a version name a promotion, some 11 bytes each
MAX_ALIASES_BYTES = 1 << 20
#: champions kept in the history (the oldest are dropped): rollbacks can walk back this far
MAX_HISTORY = 10_000


class RegistryBusy(TrendscoreError):
    """Another process holds the registry's lock (training or changing the champion)."""

    exit_code = 1


def resolve_model(name):
    """The model ``name`` stands for, as :func:`~trendscore.modeling.model.load_model` takes it: the
    champion's directory when ``name`` is a registry directory, else ``name`` unchanged (None,
    a bundled model's name or a model directory). A bundled name wins over a folder of that
    name, as in ``load_model``. A registry without a usable champion is a ModelError.
    """
    if name is None or (isinstance(name, str) and name in BUNDLED):
        return name
    registry = Registry(name)
    return registry.champion_path() if registry.exists() else name


def _check_replaceable(path: Path) -> None:
    """Refuse a registry file to be written anew (aliases, holdout set, comparison) that is
    there as anything but a regular file: written through, a FIFO had held the registry and
    its lock for ever, and a link to a device (/dev/zero) had taken the registry's state
    away without a word."""
    problem = file_problem(path)
    if problem not in (None, "missing"):
        raise ModelError(f"{path}: {problem}; the registry writes this file anew each time: remove it")


def _replace_file(path: Path, data: bytes) -> None:
    _check_replaceable(path)
    atomic_write_bytes(path, data)


def _write_json_atomic(path: Path, data) -> None:
    _replace_file(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


class Registry:
    """The model registry in directory ``path`` (layout in the module docstring); the
    methods that change it hold its lock."""

    def __init__(self, path):
        self.path = Path(path)

    # ------------------------------------------------------------ state
    def exists(self) -> bool:
        """True when ``path`` holds a registry (it has an aliases file, which may be damaged:
        a FIFO of that name is a registry's that reading refuses, not a sign of none)."""
        return os.path.lexists(self.path / ALIASES)

    def _aliases(self) -> dict:
        path = self.path / ALIASES
        if not os.path.lexists(path):
            raise self._not_registry()
        data = load_json(path, MAX_ALIASES_BYTES)  # unread if no regular file; a history of millions refused
        if not isinstance(data, dict):
            raise ModelError(f"{path}: expected a JSON object with 'champion' and 'history'")
        champion, history = data.get("champion"), data.get("history", [])
        if champion is not None and not (isinstance(champion, str) and VERSION_NAME.fullmatch(champion)):
            raise ModelError(f"{path}: champion {champion!r} is not a version name (v0001, v0002...)")
        if not isinstance(history, list) or not all(isinstance(v, str) and VERSION_NAME.fullmatch(v) for v in history):
            raise ModelError(f"{path}: 'history' must be a list of version names")
        return data

    def _not_registry(self, also: str = "") -> ModelError:
        """The error for a path that holds no registry, saying whether it exists at all."""
        if not self.path.exists():
            return ModelError(f"{self.path}: no such directory (a model registry was expected)")
        if not self.path.is_dir():
            return ModelError(f"{self.path}: not a directory (a model registry was expected)")
        return ModelError(f"{self.path}: not a model registry (no {ALIASES}{also})")

    def champion(self) -> str | None:
        """The champion's version name, or None when there is no registry or no champion yet."""
        return self._aliases().get("champion") if self.exists() else None

    def champion_path(self) -> Path:
        """The champion's model directory; a ModelError when there is none or it is missing."""
        return self._champion_dir(self.champion())

    def _champion_dir(self, name: str | None) -> Path:
        """The folder of ``name`` read as the champion: a ModelError when there is none or it
        is missing."""
        if not name:
            raise ModelError(f"{self.path}: the registry has no champion yet")
        path = self.path / "versions" / name
        if not path.is_dir():
            raise ModelError(f"{self.path / ALIASES}: the champion {name} is not among the registry's versions")
        return path

    def version_dir(self, name: str) -> Path:
        """The folder of version ``name``; a ModelError when there is no registry here (as
        every registry command says it) or it has no such version (naming those it has)."""
        if not self.exists():
            raise self._not_registry()
        if name not in self.versions():
            raise self._no_version(name)
        return self.path / "versions" / name

    def _no_version(self, name: str) -> ModelError:
        return ModelError(f"{self.path}: no version {name!r} (it has {', '.join(self.versions()) or 'none'})")

    def versions(self) -> list[str]:
        """The version names (``v0001`` ...) in the registry, oldest first."""
        root = self.path / "versions"
        return sorted(p.name for p in root.iterdir() if re.fullmatch(r"v\d{4}", p.name)) if root.is_dir() else []

    def _set_champion(self, name: str) -> bool:
        """Make ``name`` the champion, on top of the history (a stack that rollback pops);
        False, and nothing written, when it is the champion on top of the history already."""
        data = self._aliases() if self.exists() else {"champion": None, "history": []}
        history = data.get("history", [])
        if data.get("champion") == name and history[-1:] == [name]:
            return False
        data["champion"] = name
        data["history"] = (history + [name])[-MAX_HISTORY:]
        _write_json_atomic(self.path / ALIASES, data)
        return True

    def history(self) -> list[str]:
        """Champions from the first to the current one: what successive rollbacks walk back through."""
        return list(self._aliases().get("history", []))

    @contextmanager
    def lock(self, create: bool = True):
        """Hold the registry's lock (``filelock``: every system); a second holder fails at once,
        told the process id the holder wrote beside the lock. Without ``create`` the registry
        must exist already (its aliases or its versions): a misspelt path is an error, not a
        new folder with a lock in it."""
        from filelock import FileLock, Timeout

        if not create and not (self.exists() or (self.path / "versions").is_dir()):
            raise self._not_registry(" and no versions")
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path / ".lock"), timeout=0)
        holder = self.path / ".lock.holder"
        try:
            lock.acquire()
        except Timeout:
            who = _read_holder(holder)
            raise RegistryBusy(
                f"{self.path}: the registry is busy ({who or 'another process'} holds its lock); "
                "try again when it finishes"
            ) from None
        try:
            _write_holder(holder, f"pid {os.getpid()}")
            yield
        finally:
            try:
                _write_holder(holder, "")
            finally:
                lock.release()

    # ------------------------------------------------------------ alias changes
    def promote(self, name: str) -> bool:
        """Make version ``name`` the champion after checking that it loads as a model. False
        when it is the champion already: the history does not take it twice (``models history``
        had listed it again, as if promoted a second time)."""
        with self.lock(create=False):
            if name not in self.versions():  # its aliases may be yet to write: the first promotion
                raise self._no_version(name)
            load_model(self.path / "versions" / name)  # refuse a damaged version
            return self._set_champion(name)

    def _check_loads(self, name: str, doing: str) -> None:
        """Refuse to make version ``name`` the champion when it is missing or does not load (a
        file changed after saving): a ModelError naming it, the registry left as it was."""
        stays = f"the champion stays {self.champion()} (promote a version that loads instead)"
        if name not in self.versions():
            raise ModelError(f"{self.path}: cannot {doing} {name}: it is not among the registry's versions; {stays}")
        try:
            load_model(self.path / "versions" / name)
        except ModelError as exc:
            raise ModelError(f"{exc}; cannot {doing} {name}: {stays}") from None

    def rollback(self) -> str:
        """Undo the last promotion: the champion before it is champion again, and a second
        rollback goes back one more (it never returns to the version just left). A champion
        before that is missing or does not load is refused, naming it, and nothing changes."""
        with self.lock(create=False):
            data = self._aliases()
            history = list(data.get("history", []))
            current = data.get("champion")
            while history and history[-1] == current:
                history.pop()
            if not history:
                raise ModelError(f"{self.path}: no earlier champion to roll back to")
            self._check_loads(history[-1], "roll back to")
            data["champion"] = history[-1]
            data["history"] = history
            _write_json_atomic(self.path / ALIASES, data)
            return history[-1]

    def listing(self) -> list[dict]:
        """One row per version: its name, whether it is the champion, and its model card's
        figures; ``created`` is when the version was made: for a champion with a provisional
        theme added (``themes add``), when the theme was added, not when the model under it was
        trained; ``provisional`` names such themes (the figures are those of the model under them);
        ``problem`` says why the version would not load (a file changed since it was saved), or
        is None."""
        if not self.exists():
            raise self._not_registry()
        champion = self.champion()
        rows = []
        for name in self.versions():
            card_path = self.path / "versions" / name / "card.json"
            card = load_json(card_path) if card_path.is_file() else {}
            row = {"version": name, "champion": name == champion, **check_card(card, card_path)}
            records = (card.get("provisional") or {}).values()
            added: list[str] = [r["added"] for r in records if isinstance(r, dict) and isinstance(r.get("added"), str)]
            latest = max(added, default=None)
            if latest is not None and (row.get("created") is None or latest > row["created"]):
                row["created"] = latest
            # a version made by themes add has its base's figures: its provisional themes say what differs
            row["provisional"] = provisional_names(card)
            row["problem"] = model_dir_problem(self.path / "versions" / name)
            rows.append(row)
        return rows

    # ------------------------------------------------------------ training
    def _holdout(self, seeds: list[Seed]) -> list[dict]:
        """The held-out seeds: one in five of every seed ever trained with (chosen by a hash of
        its text, so a seed's place never changes), kept in holdout.jsonl as it grows. A held
        seed takes the labels the seeds give it now: a correction (``seeds add --on-conflict
        replace``) had left the comparisons judging on the labels it had when first held."""
        from trendscore.text.keys import comparison_key, text_key

        path = self.path / "holdout.jsonl"
        there = os.path.lexists(path)
        held = _read_holdout(path) if there else []
        known = {comparison_key(r["text"]) for r in held}
        grew = False
        now: dict[str, list[str]] = {}
        for s in seeds:
            now.setdefault(comparison_key(s.text), list(s.labels))
        for r in held:
            labels = now.get(comparison_key(r["text"]))
            if labels is not None and labels != r["labels"]:
                r["labels"] = labels
                grew = True
        for s in seeds:
            key = comparison_key(s.text)
            if key not in known and int(text_key(s.text), 16) % HOLDOUT_SHARE == 0:
                held.append({"id": s.id, "text": s.text, "labels": list(s.labels)})
                known.add(key)
                grew = True
        if grew or not there:
            _replace_file(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in held).encode("utf-8"))
        return held

    def add(self, model, based_on: str | None = None) -> str:
        """Save ``model`` (e.g. the champion with a provisional theme added) as the next version
        and make it the champion; rollback undoes it. Returns the version's name. ``based_on``:
        the version ``model`` was made from, which must still be the champion (checked under
        the lock): a champion promoted or rolled back to meanwhile had been replaced without a
        word by the older model with the theme."""
        with self.lock():
            current = self.champion()
            if based_on is not None and current != based_on:
                raise RegistryBusy(
                    f"{self.path}: the champion changed from {based_on} to {current or 'none'} while this model "
                    "was made from it; nothing was added: run the command again"
                )
            name = self._next_version()
            model.save(self.path / "versions" / name)
            self._set_champion(name)
            return name

    def card(self, name: str) -> dict:
        """The model card of version ``name`` (what ``train`` wrote for it); a ModelError when
        the version or its card is missing or is not a JSON object."""
        path = self.path / "versions" / name / "card.json"
        if not VERSION_NAME.fullmatch(name) or not path.is_file():
            raise ModelError(f"{self.path}: no card for version {name!r}")
        card = load_json(path)
        if not isinstance(card, dict):
            raise ModelError(f"{path}: expected a JSON object")
        return card

    def _next_version(self) -> str:
        numbers = [int(v[1:]) for v in self.versions()]
        return f"v{max(numbers, default=0) + 1:04d}"

    def train(
        self,
        seed_paths,
        tolerance: float = 0.02,
        force: bool = False,
        cv: int = 5,
        seed: int = 0,
        adopt_default: bool = True,
        themes: list[str] | None = None,
        **params,
    ) -> dict:
        """Train a challenger from seeds, compare it with the champion, promote if not worse.

        A new registry whose seeds carry the five default themes and no other starts with the
        bundled default model as v0001, its first champion (unless ``adopt_default`` is False). ``themes`` sets
        the challenger's themes exactly, as in :func:`~trendscore.modeling.training.train`; the
        bundled model is then adopted only when they are its themes, in its order (a champion
        of other themes could not be compared with the challenger). The challenger's card is
        :meth:`card` of the report's ``challenger``."""
        from trendscore.modeling.training import check_trainable, theme_list, train_seeds
        from trendscore.seeds.files import keep_themes
        from trendscore.text.keys import comparison_key, text_key

        self._check_place()
        seeds = read_seeds(seed_paths)
        if themes is None:
            check_trainable(seeds, offer_themes=True)  # before the holdout file or a version is written
            kept = seeds
        else:
            themes = theme_list(themes)
            kept = keep_themes(seeds, themes)[0]
            check_trainable(kept, themes)
        with self.lock():
            (self.path / "versions").mkdir(parents=True, exist_ok=True)
            self._check_written(self._next_version())  # before an hour of training, not after it
            holdout = self._holdout(seeds)
            held_keys = {comparison_key(r["text"]) for r in holdout}
            training = [s for s in seeds if comparison_key(s.text) not in held_keys]
            if not training:
                raise TrendscoreError("every seed is in the registry's holdout set; add more seeds")
            champion_name = self.champion()
            carry = self.path / "versions" / champion_name if champion_name else None  # its provisional themes
            _check_held_only(seeds, training, themes, carry)  # they stay, learned from their examples
            if adopt_default and not self.exists() and not self.versions():
                if self._adopt_default(default_model_path(), training, themes):
                    champion_name, carry = "v0001", self.path / "versions" / "v0001"
            name = self._next_version()
            target = self.path / "versions" / name
            # the champion the challenger is compared with loads, before the training, not after it
            # (a card edited by hand had been found only then, each try leaving a version behind)
            champion = _champion_model(self, champion_name) if champion_name else None
            challenger = train_seeds(
                training, target, cv=cv, seed=seed, provisional_from=carry, themes=themes, **params
            )
            report = {"challenger": name, "champion": champion_name, "promoted": False, "tolerance": tolerance}
            if champion_name is None:
                self._set_champion(name)
                report.update(promoted=True, reason="the registry had no champion")
            else:
                report.update(_compare(champion, challenger, holdout, text_key, tolerance))
                # one reason, said once: why it was promoted, or what held it back
                held_back = report.pop("why_not", None)
                if report["comparable"] and report["not_worse"] or force:
                    self._set_champion(name)
                    report["promoted"] = True
                    report["reason"] = f"forced, though {held_back}" if held_back else "not worse on any theme"
                else:
                    report["reason"] = f"{held_back or 'worse on some theme'}; only forcing promotes it"
            (self.path / "comparisons").mkdir(exist_ok=True)
            _write_json_atomic(self.path / "comparisons" / f"{name}.json", report)
            return report

    def _check_place(self) -> None:
        """Refuse to make a new registry in a folder holding anything but a registry's own
        files (those a first training stopped short may leave): made inside a model directory,
        it had taken the folder's name from the model (``--model DIR`` meaning its champion
        since), and made in a seed folder, its holdout set had been read as seeds."""
        if self.exists() or not os.path.lexists(self.path):
            return  # a registry already, or a new folder
        if not self.path.is_dir():  # it had been 'File exists', from making the folder
            raise self._not_registry()
        own = {"holdout.jsonl", "comparisons", "versions"}  # and .lock, hidden
        # hidden files are no one's data: a folder made in a file manager holds its .DS_Store
        other = sorted(p.name for p in self.path.iterdir() if p.name not in own and not p.name.startswith("."))
        if not other:
            return
        what = "a model directory" if "manifest.json" in other else f"a folder holding {other[0]!r}"
        raise ModelError(f"{self.path}: {what}, not a model registry; a new registry is made in a new or empty folder")

    def _check_written(self, name: str) -> None:
        """Refuse, before training version ``name``, a registry whose files it would write are
        in the way: anything but a regular file there (see :func:`_check_replaceable`), or a
        ``comparisons`` that is no directory."""
        comparisons = self.path / "comparisons"
        if os.path.lexists(comparisons) and not comparisons.is_dir():
            raise ModelError(f"{comparisons}: not a directory; the registry keeps its comparisons in it: remove it")
        for path in (self.path / ALIASES, self.path / "holdout.jsonl", comparisons / f"{name}.json"):
            _check_replaceable(path)

    def _adopt_default(self, default: Path, seeds: list[Seed], themes: list[str] | None = None) -> bool:
        """A new registry whose seeds carry every default theme and no other (or whose given
        ``themes`` are the default themes, in their order) starts with the bundled model as
        v0001. Seeds of some of them only (a user's own ``policy``/``culture`` set) would make a
        model of other themes, which could never be compared with the bundled one and so never
        promoted over it: their first model is the champion instead. True when it was adopted."""
        from trendscore.seeds.files import DEFAULT_THEMES

        if themes is not None:
            fits = list(themes) == list(DEFAULT_THEMES)
        else:
            fits = {lab for s in seeds for lab in s.labels} == set(DEFAULT_THEMES)
        if not fits or not default.is_dir():
            return False
        load_model(default)
        final = self.path / "versions" / "v0001"
        tmp = temp_dir_beside(final)
        tmp.rmdir()  # a free hidden name: copytree makes the directory itself
        try:
            shutil.copytree(default, tmp)
            replace_dir(tmp, final)
        except BaseException:  # a full disk, Ctrl-C: leave no half-copied version behind
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._set_champion("v0001")
        return True


def _champion_model(registry: Registry, name: str):
    """The champion ``name`` of ``registry`` loaded; a ModelError naming it as the champion
    when it is missing or does not load (a file changed after saving)."""
    path = registry._champion_dir(name)
    try:
        return load_model(path)
    except ModelError as exc:
        raise ModelError(
            f"{exc}; {name} is the registry's champion, which a challenger is compared with: "
            "promote or roll back to a version that loads, then train"
        ) from None


def _check_held_only(seeds: list[Seed], training: list[Seed], themes: list[str] | None, carry) -> None:
    """Refuse seeds with a theme whose every seed is in the holdout set: the challenger had been
    trained without the theme, not a word said (or, with ``themes`` naming it, refused as a
    theme no seed is labelled with). A provisional theme of the champion (``carry``) is not
    refused: it stays provisional, learned from its examples."""
    from trendscore.errors import SeedError
    from trendscore.modeling.provisional import carried_themes
    from trendscore.seeds.files import theme_order

    wanted = themes if themes is not None else theme_order(seeds)
    provisional = set() if themes is not None or carry is None else {t.name for t in carried_themes(carry)}
    trained = {label for s in training for label in s.labels}
    untrained = set(wanted) - trained - provisional
    held_by_theme: dict[str, list[Seed]] = {theme: [] for theme in untrained}
    for s in seeds:
        for label in s.labels:
            if label in held_by_theme:
                held_by_theme[label].append(s)
    for theme in wanted:
        held = held_by_theme.get(theme)
        if held:
            every = "its only seed is" if len(held) == 1 else f"all its {len(held)} seeds are"
            raise SeedError(
                f"theme {theme!r}: {every} in the registry's holdout set (one seed in five, by its text, is "
                "kept out of training for good, to compare models on), so none is left to learn it from; "
                "label more seeds with it",
                held[0].path,
                held[0].line,
            )


def _write_holder(path: Path, text: str) -> None:
    """Write the lock holder's note as a new regular file, whatever was at ``path``: written
    through, a symbolic link there had emptied the file it named (anywhere on the system)
    and a FIFO had held the run, and the registry's lock, for ever. Called with the lock held."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def _read_holder(path: Path) -> str:
    """The lock holder's note (``pid N``), or "" when there is none to read: a symbolic link or
    anything but a regular file is not followed or waited on (a FIFO would block), and at most
    100 bytes are read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        note = fh.read(100).decode("utf-8", "replace").strip()
    return note if re.fullmatch(r"pid [0-9]+", note) else ""


def _read_holdout(path: Path) -> list[dict]:
    """The registry's held-out seeds; a damaged line is a one-line error naming it. The file
    is read by the reader of every input, a line at a time within its bound on a line, each
    line's values counted before it is parsed; a FIFO or device there is refused unopened."""
    from trendscore.errors import InputError
    from trendscore.io.jsonfast import check_size
    from trendscore.io.readers import open_lines

    problem = file_problem(path)
    if problem is not None:
        raise ModelError(f"{path}: {problem}; the registry's holdout set is a file it writes: remove it")
    held = []
    try:
        with open_lines(str(path), "jsonl") as (_, lines):
            for number, line in lines:
                if not line.strip():
                    continue
                try:
                    check_size(line)
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    damaged = "not valid JSON; the registry's holdout set is damaged"
                    raise ModelError(f"{path}:{number}: {damaged}") from None
                if not (
                    isinstance(record, dict)
                    and isinstance(record.get("text"), str)
                    and isinstance(record.get("labels"), list)
                    and all(isinstance(label, str) for label in record["labels"])
                ):
                    raise ModelError(f"{path}:{number}: expected an object with 'text' and 'labels'")
                held.append(record)
    except InputError as exc:  # a line over the bound, bytes that do not decode
        raise ModelError(f"{exc}; the registry's holdout set is damaged") from None
    return held


def _compare(champion, challenger, holdout: list[dict], text_key, tolerance: float) -> dict:
    """Per-theme F1 of both models on the held-out seeds that neither was trained on (nor made a
    provisional theme from), and
    ``why_not``: what holds the challenger back (None when nothing does), which the report
    gives as its ``reason``."""
    from trendscore.modeling.metrics import label_matrix, per_theme_scores

    seen = set(champion.card.get("trained_on", [])) | set(challenger.card.get("trained_on", []))
    # a provisional theme learned from its examples as a trained theme from its seeds
    seen |= champion.example_keys() | challenger.example_keys()
    if not champion.card.get("trained_on"):
        return {
            "comparable": False,
            "not_worse": False,
            "why_not": "the champion's card does not list its training texts",
        }
    evalset = [r for r in holdout if text_key(r["text"]) not in seen]
    if set(champion.themes) != set(challenger.themes):  # the same themes in another order compare theme by theme
        return {
            "comparable": False,
            "not_worse": False,
            "why_not": f"label sets differ ({champion.themes} vs {challenger.themes})",
        }
    if len(evalset) < 20:
        return {
            "comparable": False,
            "not_worse": False,
            "evaluated_on": len(evalset),
            "why_not": f"only {counted(len(evalset), 'held-out seed')} {plural(len(evalset), 'is', 'are')} new to both "
            "models (need 20)",
        }
    texts = [r["text"] for r in evalset]
    themes = challenger.themes
    truth = label_matrix([r["labels"] for r in evalset], themes)
    old = champion.labels_from_proba(champion.predict_proba(texts))
    new = challenger.labels_from_proba(challenger.predict_proba(texts))
    s_old = per_theme_scores(truth, label_matrix(old, themes), themes)
    s_new = per_theme_scores(truth, label_matrix(new, themes), themes)
    worse = [t for t in themes if s_new["themes"][t]["f1"] < s_old["themes"][t]["f1"] - tolerance]
    changed = [
        {"id": r.get("id"), "text": r["text"][:200], "gold": r["labels"], "champion": a, "challenger": b}
        for r, a, b in zip(evalset, old, new)
        if set(a) != set(b)
    ]
    return {
        "comparable": True,
        "not_worse": not worse,
        "worse_themes": worse,
        "evaluated_on": len(evalset),
        "champion_f1": {t: s_old["themes"][t]["f1"] for t in themes} | {"macro": s_old["macro_f1"]},
        "challenger_f1": {t: s_new["themes"][t]["f1"] for t in themes} | {"macro": s_new["macro_f1"]},
        "changed": changed,
        "why_not": f"worse than the champion beyond {tolerance:g} on {', '.join(worse)}" if worse else None,
    }
