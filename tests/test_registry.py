import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import kill_cli

from trendscore import load_model
from trendscore.cli import main
from trendscore.errors import ModelError, SeedError
from trendscore.modeling.registry import Registry, RegistryBusy, resolve_model


@pytest.fixture
def registry(tmp_path, small_seed_files):
    """A registry whose champion is trained on batch 02 only."""
    reg = Registry(tmp_path / "reg")
    report = reg.train([small_seed_files[0]], cv=0, adopt_default=False)
    assert report["promoted"] and report["challenger"] == "v0001"
    return reg


def test_new_registry_adopts_the_bundled_model_as_first_champion(tmp_path, small_seed_files):
    from trendscore.modeling.model import default_model_path

    reg = Registry(tmp_path / "r")
    report = reg.train(small_seed_files, cv=0)
    assert report["champion"] == "v0001" and report["challenger"] == "v0002"
    assert (reg.path / "versions" / "v0001" / "coef.npy").read_bytes() == (
        default_model_path() / "coef.npy"
    ).read_bytes()
    # the bundled model was trained on every shipped seed: no held-out seed is new to it
    assert report["comparable"] is False and "new to both models" in report["reason"]
    assert reg.champion() == "v0001"


@pytest.mark.slow
def test_train_into_a_registry_gives_its_reason_once(tmp_path, small_seed_files, run):
    """train --registry printed the same sentence twice, as why_not and as reason (and kept
    both in the comparison file); a forced promotion's reason said only 'forced', the cause
    it overrode under why_not. One reason now says it all."""
    reg = tmp_path / "reg"
    args = ["--registry", reg, "--cv", "0", "--budget", "0", "--jobs", "1"]
    kept = run("train", *small_seed_files, *args)
    assert kept.exit_code == 0, kept.output
    report = json.loads(kept.stdout)
    assert "why_not" not in report and report["promoted"] is False
    assert report["reason"] == (
        f"only {report['evaluated_on']} held-out seeds are new to both models (need 20); only forcing promotes it"
    )
    assert kept.output.count("held-out seeds are new to both models") == 2  # the JSON and the verdict line
    assert f"v0002: kept as a challenger ({report['reason']})" in kept.stderr
    forced = json.loads(run("train", *small_seed_files, *args, "--force").stdout)
    assert "why_not" not in forced and forced["promoted"] is True
    assert forced["reason"].startswith("forced, though only ") and "only forcing" not in forced["reason"]
    saved = json.loads((reg / "comparisons" / "v0003.json").read_text("utf-8"))
    assert "why_not" not in saved and saved["reason"] == forced["reason"]


def test_first_model_is_champion_and_registry_resolves_to_it(registry):
    assert registry.champion() == "v0001"
    model = load_model(resolve_model(registry.path))
    assert model.path == registry.path / "versions" / "v0001"
    assert resolve_model(str(registry.path)) == registry.path / "versions" / "v0001"


def test_load_model_does_not_resolve_a_registry(registry):
    with pytest.raises(ModelError, match="a model registry, not a model directory; .*resolve_model"):
        load_model(registry.path)


def test_resolve_model_leaves_other_names_alone(registry, tmp_path, monkeypatch):
    assert resolve_model(None) is None
    monkeypatch.chdir(tmp_path)
    (tmp_path / "default").mkdir()  # a bundled name wins over a folder of that name, registry or not
    (tmp_path / "default" / "aliases.json").write_text('{"champion": "v0001", "history": ["v0001"]}', "utf-8")
    assert resolve_model("default") == "default"
    plain = registry.path / "versions" / "v0001"
    assert resolve_model(plain) == plain
    assert (registry.path / "holdout.jsonl").read_text("utf-8").count("\n") > 10


def test_challenger_is_compared_on_unseen_holdout_and_promoted(registry, small_seed_files):
    report = registry.train(small_seed_files, cv=0)
    assert report["comparable"] and report["evaluated_on"] >= 20
    assert set(report["challenger_f1"]) == {"policy", "technology", "overseas", "regional_hub", "culture", "macro"}
    assert report["promoted"] == report["not_worse"]
    assert isinstance(report["changed"], list)
    saved = json.loads((registry.path / "comparisons" / "v0002.json").read_text("utf-8"))
    assert saved["challenger"] == "v0002"


def test_worse_challenger_is_not_promoted_unless_forced(registry, small_seed_files, tmp_path):
    registry.train(small_seed_files, cv=0)
    champion = registry.champion()
    # a challenger trained on a handful of seeds is worse on the same held-out seeds
    tiny = tmp_path / "tiny.jsonl"
    lines = small_seed_files[1].read_text("utf-8").splitlines()[:40]
    tiny.write_text("\n".join(lines) + "\n", "utf-8")
    report = registry.train([tiny], cv=0, tolerance=0.0)
    assert report["promoted"] is False and report["worse_themes"]
    assert registry.champion() == champion
    forced = registry.train([tiny], cv=0, force=True)
    assert forced["promoted"] and registry.champion() == forced["challenger"]


def test_list_promote_rollback_cli(registry, small_seed_files):
    runner = CliRunner()
    registry.train(small_seed_files, cv=0, force=True)
    listing = runner.invoke(main, ["models", "list", "--registry", str(registry.path)])
    assert listing.exit_code == 0 and listing.stdout.splitlines()[1].startswith("* v0002")
    assert runner.invoke(main, ["models", "rollback", "--registry", str(registry.path)]).exit_code == 0
    assert registry.champion() == "v0001"
    assert runner.invoke(main, ["models", "promote", "v0002", "--registry", str(registry.path)]).exit_code == 0
    assert registry.champion() == "v0002"
    bad = runner.invoke(main, ["models", "promote", "v0099", "--registry", str(registry.path)])
    assert bad.exit_code == 2 and "no version 'v0099'" in bad.stderr


@pytest.mark.parametrize("args", [["rollback"], ["promote", "v0001"]])
def test_changing_a_registry_that_is_not_there_creates_nothing(tmp_path, args):
    """Found by a review: `models rollback --registry nonexist/deep/er` said "not a model
    registry" but left the folders and their .lock files behind; in a folder that is not a
    registry, both commands left lock files."""
    runner = CliRunner()
    typo = tmp_path / "nonexist" / "deep" / "er"
    result = runner.invoke(main, ["models", *args, "--registry", str(typo)])
    assert result.exit_code != 0 and "er: no such directory" in result.stderr, result.output
    assert not (tmp_path / "nonexist").exists()
    plain = tmp_path / "plain"
    plain.mkdir()
    result = runner.invoke(main, ["models", *args, "--registry", str(plain)])
    assert result.exit_code != 0 and "not a model registry" in result.stderr, result.output
    assert list(plain.iterdir()) == []


def test_second_writer_gets_a_clear_message(registry, small_seed_files):
    with registry.lock():
        with pytest.raises(RegistryBusy, match=r"the registry is busy \(pid \d+ holds its lock\)"):
            Registry(registry.path).train(small_seed_files, cv=0)
        result = CliRunner().invoke(main, ["models", "rollback", "--registry", str(registry.path)])
        assert result.exit_code == 1 and "busy" in result.stderr


@pytest.mark.parametrize("when", [0.3, 0.9, pytest.param("writing", marks=pytest.mark.slow)])
def test_kill_during_training_leaves_the_champion(registry, small_seed_files, when):
    before = registry.champion()
    args = ["train", *map(str, small_seed_files), "--registry", str(registry.path), "--cv", "0"]
    if when == "writing":  # the moment the challenger's staging directory appears
        versions = registry.path / "versions"
        assert kill_cli(args, ready=lambda: any(p.name.startswith(".") for p in versions.iterdir()))
    else:
        kill_cli(args, delay=when)
    champion = registry.champion()
    assert champion in (before, "v0002")
    load_model(resolve_model(registry.path))  # loadable, hashes verified
    for version in registry.versions():
        load_model(registry.path / "versions" / version)
    assert not [p for p in (registry.path / "versions").iterdir() if p.name.startswith(".") and not p.is_dir()]


@pytest.mark.slow
def test_kill_during_promotions_keeps_a_valid_alias(registry, small_seed_files):
    registry.train(small_seed_files, cv=0, force=True)
    script = (
        "import sys\nfrom trendscore.modeling.registry import Registry\nr = Registry(sys.argv[1])\n"
        "while True:\n    r.promote('v0001'); r.promote('v0002')\n"
    )
    rng = random.Random(0)
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", script, str(registry.path)])
        time.sleep(0.5 + rng.random() * 0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert registry.champion() in ("v0001", "v0002")
        load_model(resolve_model(registry.path))


def test_train_into_a_registry_prints_the_card_notes_and_takes_themes(tmp_path, small_seed_files, run):
    """Found by a review: train --registry printed none of the notes train -o prints (labels
    ignored, too few seeds for calibration, folds skipped, the search's choice), dropped
    --curve without a word, and refused --themes for no reason of the registry's."""
    reg = tmp_path / "reg"
    args = ["--budget", "0", "--cv", "2", "--jobs", "1", "--curve"]
    result = run("train", *small_seed_files, "--registry", reg, "--themes", "policy,overseas", *args)
    assert result.exit_code == 0, result.output
    card = Registry(reg).card("v0001")
    assert card["seeds"]["themes_given"] == ["policy", "overseas"] and card["seeds"]["ignored"]["seeds"] > 0
    assert result.stderr.startswith(f"Note: ignored {sum(card['seeds']['ignored']['labels'].values())} labels on ")
    # themes other than the bundled model's: it is not adopted, the challenger is the first champion
    assert "v0001: promoted to champion (the registry had no champion)" in result.stderr
    assert load_model(resolve_model(reg)).themes == ["policy", "overseas"]
    # found playing a model maintainer: a registry version's card had no command at all
    assert card["command"] == (
        "trendscore train SEEDS --registry REGISTRY --cv 2 --themes policy,overseas --curve --budget 0 --jobs 1"
    )
    curve = [line for line in result.stderr.splitlines() if line.startswith("learning curve: ")]
    assert len(curve) == 4 and curve[-1].startswith("learning curve: 100% of seeds"), result.stderr
    assert len(card["learning_curve"]) == 4


def test_a_registry_of_some_default_themes_only_does_not_adopt_the_bundled_model(tmp_path, small_seed_files):
    """Seeds labelled with two of the bundled themes (one a passage) had made the bundled
    five-theme model the champion, and the user's own model could then never be promoted ("label
    sets differ"): `label --model REGISTRY` went on using the bundled model."""
    from seedrows import write_jsonl

    rows = [
        {"id": f"{lab}{i}", "text": f"{word} passage number {i}", "labels": [lab]}
        for lab, word in (("policy", "regulator rules licence"), ("culture", "opera heritage folk"))
        for i in range(12)
    ]
    seeds = write_jsonl(tmp_path / "own.jsonl", rows)
    reg = Registry(tmp_path / "reg")
    report = reg.train([seeds], cv=0)
    assert report["challenger"] == "v0001" and report["promoted"], report
    assert set(load_model(resolve_model(reg.path)).themes) == {"policy", "culture"}


def test_a_corrected_seed_is_judged_by_its_new_labels_in_the_holdout_set(tmp_path, small_seed_files):
    """holdout.jsonl kept the labels a seed had when it was first held out, so after a
    correction (seeds add --on-conflict replace) every comparison judged on the old ones."""
    from seedrows import write_jsonl

    from trendscore.seeds.files import read_seeds

    seeds = [{"id": s.id, "text": s.text, "labels": list(s.labels)} for s in read_seeds(small_seed_files)]
    reg = Registry(tmp_path / "reg")
    reg.train([write_jsonl(tmp_path / "a.jsonl", seeds)], cv=0, adopt_default=False)
    held = [json.loads(line) for line in (reg.path / "holdout.jsonl").read_text("utf-8").splitlines()]
    target = held[0]["text"]
    fixed = [dict(r, labels=["culture"]) if r["text"] == target else r for r in seeds]
    assert held[0]["labels"] != ["culture"]
    reg.train([write_jsonl(tmp_path / "b.jsonl", fixed)], cv=0, force=True)
    again = [json.loads(line) for line in (reg.path / "holdout.jsonl").read_text("utf-8").splitlines()]
    assert [r["labels"] for r in again if r["text"] == target] == [["culture"]]
    assert len(again) == len(held)


def test_a_registry_given_the_default_themes_adopts_the_bundled_model(tmp_path, small_seed_files):
    reg = Registry(tmp_path / "reg")
    report = reg.train(small_seed_files, cv=0, themes=["policy", "technology", "overseas", "regional_hub", "culture"])
    assert report["champion"] == "v0001" and report["challenger"] == "v0002"
    assert reg.card("v0002")["seeds"]["themes_given"][0] == "policy"
    with pytest.raises(ModelError, match=r"no card for version 'v0009'"):
        reg.card("v0009")


def test_a_registry_refuses_a_listed_theme_no_seed_carries_before_writing(tmp_path, small_seed_files, run):
    reg = tmp_path / "reg"
    result = run("train", *small_seed_files, "--registry", reg, "--themes", "policy,esports", "--cv", "0")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "no seed is labelled esports" in result.stderr
    assert result.stderr.count("\n") == 1 and not reg.exists()


@pytest.fixture
def copied_registry(tmp_path):
    """A registry whose one version is a copy of the bundled default model (no training)."""
    import shutil

    from trendscore.modeling.model import default_model_path

    root = tmp_path / "copied"
    (root / "versions").mkdir(parents=True)
    shutil.copytree(default_model_path(), root / "versions" / "v0001")
    (root / "aliases.json").write_text('{"champion": "v0001", "history": ["v0001"]}', "utf-8")
    return root


def _promote(root, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "trendscore", "models", "promote", "v0001", "--registry", str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_lock_holder_note_is_never_written_through_a_link_or_into_a_fifo(copied_registry, tmp_path):
    # the note beside the lock had been written with write_text: a '.lock.holder' linking to a
    # file anywhere had that file emptied by a promote, and a FIFO there held the run for ever
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n", "utf-8")
    holder = copied_registry / ".lock.holder"
    holder.symlink_to(precious)
    result = _promote(copied_registry)
    assert result.returncode == 0, result.stderr
    assert precious.read_text("utf-8") == "keep me\n"
    assert holder.is_file() and not holder.is_symlink()
    holder.unlink()
    os.mkfifo(holder)
    result = _promote(copied_registry, timeout=30)
    assert result.returncode == 0, result.stderr
    assert holder.is_file()


@pytest.mark.parametrize("kind", ["fifo", "link"])
def test_a_busy_registry_does_not_read_a_holder_note_that_is_no_regular_file(copied_registry, tmp_path, kind):
    # the second process read the note with read_text: a FIFO there blocked it for ever, and
    # a link put the first bytes of the file it named into the message
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n", "utf-8")
    with Registry(copied_registry).lock():
        holder = copied_registry / ".lock.holder"
        holder.unlink()
        os.mkfifo(holder) if kind == "fifo" else holder.symlink_to(secret)
        try:
            result = _promote(copied_registry, timeout=30)
        finally:
            holder.unlink()  # this process's release writes its note again
    assert result.returncode == 1
    busy = "the registry is busy (another process holds its lock); try again when it finishes"
    assert result.stderr == f"Error: {copied_registry}: {busy}\n"


def test_a_theme_added_to_a_registry_does_not_undo_a_promotion_made_meanwhile(copied_registry, tmp_path, monkeypatch):
    # themes add read the champion, worked for a minute, then saved the old champion with the
    # theme as the next version and champion: a version promoted meanwhile (by train --registry
    # or models promote) was replaced without a word
    import shutil

    from trendscore.modeling import theming

    shutil.copytree(copied_registry / "versions" / "v0001", copied_registry / "versions" / "v0002")

    def add_theme(model, name, examples, seeds):  # the minute of work, while another process promotes
        Registry(copied_registry).promote("v0002")
        return model

    monkeypatch.setattr(theming, "add_theme", add_theme)
    monkeypatch.setattr(theming, "require_encoder", lambda *args: None)
    monkeypatch.setattr(theming, "model_seeds", lambda model, paths: [])
    examples = tmp_path / "examples.jsonl"
    examples.write_text("".join(f'{{"text": "电竞赛事{i}"}}\n' for i in range(5)), "utf-8")
    result = CliRunner().invoke(
        main, ["themes", "add", "esports", "--examples", str(examples), "--model", str(copied_registry)]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {copied_registry}: the champion changed from v0001 to v0002 while this model was made from it; "
        "nothing was added: run the command again\n"
    )
    assert Registry(copied_registry).champion() == "v0002"
    assert Registry(copied_registry).versions() == ["v0001", "v0002"]


def test_promote_and_show_name_a_missing_version_in_the_same_words(tmp_path):
    """`models promote v0003` said '(have v0001, v0002)' where `models show v0003` says
    '(it has v0001, v0002)': one wording, Registry.version_dir's."""
    reg = Registry(tmp_path / "reg")
    reg.add(load_model())
    reg.add(load_model())
    said = [
        CliRunner().invoke(main, ["models", *args, "--registry", str(reg.path)])
        for args in (["promote", "v0003"], ["show", "v0003"])
    ]
    expected = f"Error: {reg.path}: no version 'v0003' (it has v0001, v0002)\n"
    assert [(r.exit_code, r.stderr) for r in said] == [(2, expected), (2, expected)]


def _own_rows(n: int = 60) -> list[dict]:
    """``n`` seeds of each of ``funding`` and ``talent``, a user's own themes, with ids."""
    rows = []
    for i in range(n):
        text = f"investors raised capital valuation round number {i}"
        rows.append({"id": f"f{i}", "text": text, "labels": ["funding"]})
        rows.append({"id": f"t{i}", "text": f"actors casting screenwriters director number {i}", "labels": ["talent"]})
    return rows


def test_a_challenger_of_the_champions_themes_in_another_order_is_compared(tmp_path):
    """Found maintaining a model: a challenger of the champion's themes in another order (a
    provisional theme folded in comes in the seeds' order, not last; or --themes listed
    another way) was 'not comparable: label sets differ' though the sets were the same, and
    could only be forced in."""
    from seedrows import write_jsonl

    seeds = write_jsonl(tmp_path / "own.jsonl", _own_rows())
    reg = Registry(tmp_path / "reg")
    reg.train([seeds], cv=0, themes=["funding", "talent"])
    report = reg.train([seeds], cv=0, themes=["talent", "funding"])
    assert report["comparable"] is True and report["promoted"] is True, report
    assert report["evaluated_on"] >= 20 and set(report["challenger_f1"]) == {"funding", "talent", "macro"}
    assert report["reason"] == "not worse on any theme"


def test_a_champion_that_does_not_load_is_refused_before_training(tmp_path):
    """A champion whose card was edited by hand was found only after the challenger's training,
    when the two were compared: each try left a version that was never compared behind."""
    from seedrows import write_jsonl

    seeds = write_jsonl(tmp_path / "own.jsonl", _own_rows())
    reg = Registry(tmp_path / "reg")
    reg.train([seeds], cv=0)
    card = reg.path / "versions" / "v0001" / "card.json"
    card.write_text(card.read_text("utf-8").replace('"created"', '"note": "checked", "created"', 1), "utf-8")
    message = r"card.json: SHA-256 does not match the manifest.*; v0001 is the registry's champion"
    for _ in range(2):
        with pytest.raises(ModelError, match=message):
            reg.train([seeds], cv=0)
    assert reg.versions() == ["v0001"] and not (reg.path / "comparisons" / "v0002.json").exists()


def test_a_theme_whose_every_seed_is_held_out_is_refused_not_left_out(tmp_path, run):
    """A theme whose only seed fell in the holdout set (one seed in five, by its text) was
    left out of the challenger without a word: the seeds named it, the model had no such theme."""
    from seedrows import write_jsonl

    from trendscore.text.keys import text_key

    text = next(t for t in (f"censorship rules tighten case {i}" for i in range(100)) if int(text_key(t), 16) % 5 == 0)
    rows = _own_rows() + [{"id": "c1", "text": text, "labels": ["censorship"]}]
    seeds = write_jsonl(tmp_path / "own.jsonl", rows)
    reg = tmp_path / "reg"
    result = run("train", seeds, "--registry", reg, "--cv", "0", "--budget", "0", "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Error: {seeds}:121: theme 'censorship': its only seed is in the registry's holdout set (one seed in "
        "five, by its text, is kept out of training for good, to compare models on), so none is left to learn "
        "it from; label more seeds with it\n"
    )
    assert Registry(reg).versions() == []
    given = run("train", seeds, "--registry", reg, "--cv", "0", "--themes", "funding,censorship")
    assert given.exit_code == 2 and "its only seed is in the registry's holdout set" in given.stderr


def test_train_into_a_registry_counts_changed_labels_only_after_a_comparison(tmp_path, run):
    """Found maintaining a model: with no champion, or one of other themes, train --registry
    said '0 held-out passages changed labels', a figure of a comparison that was not made."""
    from seedrows import write_jsonl

    seeds = write_jsonl(tmp_path / "own.jsonl", _own_rows())
    args = ["--registry", tmp_path / "reg", "--cv", "0", "--budget", "0", "--jobs", "1"]
    first = run("train", seeds, *args)
    assert first.exit_code == 0 and first.stderr.endswith(
        "v0001: promoted to champion (the registry had no champion)\n"
    ), first.stderr
    other = run("train", seeds, *args, "--themes", "funding")
    assert other.exit_code == 0 and other.stderr.endswith(
        "v0002: kept as a challenger (label sets differ (['funding', 'talent'] vs ['funding']); "
        "only forcing promotes it)\n"
    ), other.stderr
    compared = run("train", seeds, *args)
    assert compared.stderr.endswith(
        "v0003: promoted to champion (not worse on any theme); 0 held-out passages changed labels\n"
    ), compared.stderr


def test_a_new_registry_is_not_made_inside_a_model_or_another_folder(tmp_path, run, small_model_dir):
    """Found maintaining a model: train --registry naming a model directory (a slip for -o, or
    --model) made a registry inside it, and from then on --model DIR meant that registry's
    champion, not the model; named a seed folder, its holdout.jsonl became a seed file there."""
    import shutil

    from seedrows import write_jsonl

    seeds = write_jsonl(tmp_path / "own.jsonl", _own_rows())
    model = tmp_path / "mine"
    shutil.copytree(small_model_dir, model)
    before = sorted(p.name for p in model.iterdir())
    args = ["--cv", "0", "--budget", "0", "--jobs", "1"]
    result = run("train", seeds, "--registry", model, *args)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {model}: a model directory, not a model registry; a new registry is made in a new or empty folder\n"
    )
    assert sorted(p.name for p in model.iterdir()) == before and load_model(resolve_model(model)).path == model
    folder = tmp_path / "seeds"
    folder.mkdir()
    write_jsonl(folder / "batch_01.jsonl", _own_rows())
    with pytest.raises(ModelError, match=r"seeds: a folder holding 'batch_01.jsonl', not a model registry"):
        Registry(folder).train([folder], cv=0)
    assert sorted(p.name for p in folder.iterdir()) == ["batch_01.jsonl"]
    with pytest.raises(ModelError, match=r"own.jsonl: not a directory \(a model registry was expected\)"):
        Registry(seeds).train([folder], cv=0)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("train", seeds, "--registry", empty, *args).exit_code == 0 and Registry(empty).champion() == "v0001"


def test_a_new_registry_is_made_in_a_folder_holding_hidden_files_alone(tmp_path, run):
    """A folder made in a file manager holds its .DS_Store (a repository's, a .gitkeep): the
    new-folder rule had refused it as 'a folder holding '.DS_Store''."""
    from seedrows import write_jsonl

    seeds = write_jsonl(tmp_path / "own.jsonl", _own_rows())
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / ".gitkeep").write_bytes(b"")
    result = run("train", seeds, "--registry", folder, "--cv", "0", "--budget", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert Registry(folder).champion() == "v0001"


def test_a_theme_whose_every_seed_is_held_out_is_refused_before_the_bundled_model_is_adopted(tmp_path):
    """The refusal came after a new registry given the five default themes had adopted the
    bundled model as v0001: the registry was left with a champion no training had chosen."""
    from seedrows import write_jsonl

    from trendscore.seeds.files import DEFAULT_THEMES
    from trendscore.text.keys import text_key

    held = [t for t in (f"culture heritage opera folk case {i}" for i in range(200)) if int(text_key(t), 16) % 5 == 0]
    rows = [
        {"id": f"{theme}{i}", "text": f"{theme} passage words number {i}", "labels": [theme]}
        for theme in DEFAULT_THEMES[:4]
        for i in range(12)
    ] + [{"id": f"c{i}", "text": text, "labels": ["culture"]} for i, text in enumerate(held[:2])]
    reg = Registry(tmp_path / "reg")
    with pytest.raises(SeedError, match=r"own.jsonl:49: theme 'culture': all its 2 seeds are in the registry's"):
        reg.train([write_jsonl(tmp_path / "own.jsonl", rows)], cv=0, themes=list(DEFAULT_THEMES))
    assert reg.versions() == [] and not reg.exists()
