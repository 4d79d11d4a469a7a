"""The picture of a score (issue 18), read back pixel by pixel, and how its fonts are found."""

import datetime as dt
import io
import math
import random

import numpy as np
import pytest
from PIL import Image

import trendscore
from trendscore.trends import fonts
from trendscore.trends.canvas import nice_ticks
from trendscore.trends.plot import plot_png


def _records(rising: bool, weeks: int = 20, seed: int = 0):
    """Daily passages over ``weeks`` weeks; with ``rising``, policy goes from a tenth of the
    passages to half of them in the last three weeks; the other themes hold their shares."""
    rng = random.Random(seed)
    start = dt.date(2025, 1, 6)
    out = []
    for day in range(7 * weeks):
        late = day >= 7 * (weeks - 3)
        for _ in range(20):
            labels = [t for t in ("technology", "culture") if rng.random() < 0.3]
            if rng.random() < (0.5 if rising and late else 0.1):
                labels.append("policy")
            out.append({"date": (start + dt.timedelta(days=day)).isoformat(), "labels": labels})
    return out


def _pixels(png: bytes):
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image, np.asarray(image).reshape(-1, 3).astype(int)


def _count(pixels, test) -> int:
    return int(np.count_nonzero(test(pixels[:, 0], pixels[:, 1], pixels[:, 2])))


def _green(r, g, b):
    return (g > r + 60) & (g > b + 60)


def _red(r, g, b):
    return (r > g + 80) & (r > b + 80)


def test_a_rising_theme_is_drawn_green_and_a_steady_score_has_no_green():
    rising = trendscore.score(_records(True), as_of="2025-05-25")
    assert [t["theme"] for t in rising.themes if t["direction"] == "rising"] == ["policy"]
    _, pixels = _pixels(plot_png(rising))
    assert _count(pixels, _green) > 500  # the line, its band and the shaded window
    steady = trendscore.score(_records(False), as_of="2025-05-25")
    assert all(t["direction"] == "steady" for t in steady.themes)
    _, pixels = _pixels(plot_png(steady))
    assert _count(pixels, _green) == 0 and _count(pixels, _red) == 0


def _themes(n: int):
    """Records of ``n`` labels of the user's own (the score lists those alone: the bundled
    five are not named by any label)."""
    return [{"date": r["date"], "labels": [f"own{i % n}"]} for i, r in enumerate(_records(False))]


def test_one_panel_per_theme_up_to_the_limit():
    heights = {n: _pixels(plot_png(trendscore.score(_themes(n))))[0].height for n in (1, 3, 8, 13, 20)}
    assert heights[1] < heights[3] < heights[8] < heights[13]  # more themes, more rows of panels
    # 20 themes draw the first twelve, as 13 do, and both say so under the title
    assert heights[20] == heights[13]


def test_the_partial_period_is_drawn_hollow():
    records = _records(False)
    whole = trendscore.score(records, as_of="2025-05-25")  # a Sunday: the last week is complete
    cut = trendscore.score(records, as_of="2025-05-21")
    assert not whole.windows.get("current_period_partial") and cut.windows.get("current_period_partial")
    # the hollow period is also noted in the title: one more line of text, so a taller picture
    assert _pixels(plot_png(cut))[0].height > _pixels(plot_png(whole))[0].height


def test_chinese_names_without_a_chinese_font_fall_back_and_say_so(monkeypatch):
    score = trendscore.score(_records(False), as_of="2025-05-25")
    monkeypatch.setattr("trendscore.trends.plot.cjk_font_file", lambda: None)
    en, _ = _pixels(plot_png(score, "en"))
    zh, _ = _pixels(plot_png(score, "zh"))
    assert zh.height > en.height  # the note under the title


def test_the_plot_draws_with_pillows_own_font_when_the_system_has_none(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_file", lambda: None)
    monkeypatch.setattr(fonts, "latin_font_file", lambda: None)
    monkeypatch.setattr("trendscore.trends.plot.cjk_font_file", lambda: None)
    image, pixels = _pixels(plot_png(trendscore.score(_records(True), as_of="2025-05-25")))
    assert image.width == 1200 and _count(pixels, lambda r, g, b: r + g + b < 150) > 300  # the text


@pytest.mark.skipif(fonts.cjk_font_file() is None, reason="no font that draws Chinese is installed")
def test_the_chinese_font_draws_chinese():
    from PIL import ImageDraw

    def glyph(ch, cjk):
        image = Image.new("L", (40, 40), 0)
        ImageDraw.Draw(image).text((4, 4), ch, font=fonts.load_font(28, cjk), fill=255)
        return image.tobytes()

    assert glyph("政", True) != glyph("策", True) != glyph("出", True)
    assert sum(glyph("政", True)) > 0


def test_find_font_prefers_earlier_names_and_survives_odd_folders(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "Second-Choice.ttf").write_bytes(b"")
    (tmp_path / "b" / "First_Choice.ttc").write_bytes(b"")
    wanted = ("firstchoice", "secondchoice")
    assert fonts.find_font(wanted, [tmp_path]) == tmp_path / "b" / "First_Choice.ttc"
    assert fonts.find_font(("secondchoice",), [tmp_path / "missing", tmp_path]) == tmp_path / "a" / "Second-Choice.ttf"
    assert fonts.find_font(("nothing",), [tmp_path]) is None
    # a huge font folder is searched only so far: the best match seen by then, or none
    for i in range(30):
        (tmp_path / "a" / f"filler{i:02}.ttf").write_bytes(b"")
    monkeypatch.setattr(fonts, "_VISIT_LIMIT", 5)
    assert fonts.find_font(wanted, [tmp_path]) == tmp_path / "a" / "Second-Choice.ttf"  # b/ never reached
    assert fonts.find_font(("firstchoice",), [tmp_path]) is None


@pytest.mark.parametrize("top", [0.055, 0.3, 1.0, 7, 1999, 2_000_000])
def test_nice_ticks_are_round_few_and_within_the_top(top):
    ticks = nice_ticks(top, 5)
    assert ticks[0] == 0 and ticks[-1] <= top and 2 <= len(ticks) <= 5
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5)
    assert ticks[-1] + step > top  # no room for another tick


@pytest.mark.parametrize("per_day", [1, 2, 3, 40])
def test_the_passages_axis_labels_each_tick_with_its_own_whole_number(monkeypatch, per_day):
    """With one passage a period the passages axis had ticks at 0, 0.5 and 1, labelled 0, 0
    and 1."""
    from trendscore.trends import plot

    drawn = []
    frame = plot.Axes.frame

    def recording(self, yticks, fmt, *args, **kwargs):
        drawn.append([fmt(v) for v in yticks])
        return frame(self, yticks, fmt, *args, **kwargs)

    monkeypatch.setattr(plot.Axes, "frame", recording)
    records = [{"date": f"2025-01-{d:02d}", "labels": ["policy"]} for d in range(1, 29) for _ in range(per_day)]
    plot_png(trendscore.score(records, freq="day"))
    passages = drawn[-1]  # the passages axis is framed last
    assert len(passages) >= 2 and len(set(passages)) == len(passages), passages
    assert all(label.replace(",", "").isdigit() for label in passages)


def test_names_with_control_characters_surrogates_and_great_length_are_drawn():
    # (score refuses an empty name and one with white space at either end: a zero-width space
    # draws as nothing, and white space inside a name stays)
    odd = ["a\x00b", "\ud800x", "\u202eevil", "x" * 500, "\u200b", "a\t\nb", "$x^{", "_hidden"]
    records = [{"date": r["date"], "labels": [odd[i % len(odd)]]} for i, r in enumerate(_records(False, weeks=30))]
    image, _ = _pixels(plot_png(trendscore.score(records, freq="day")))  # 210 periods: no markers
    assert image.width == 1200


def test_a_font_file_that_is_not_a_font_is_passed_over(tmp_path, monkeypatch):
    broken = tmp_path / "BrokenCJK.ttc"  # (Pillow looks up a failing file name in the system folders)
    broken.write_bytes(b"not a font" * 100)
    monkeypatch.setattr(fonts, "cjk_font_file", lambda: broken)
    monkeypatch.setattr("trendscore.trends.plot.cjk_font_file", lambda: broken)
    fonts._collection_index.cache_clear()
    assert fonts.load_font(12, True).getname() == fonts.load_font(12, False).getname()
    image, _ = _pixels(plot_png(trendscore.score(_records(False)), "zh"))
    assert image.width == 1200


def test_png_bytes_is_a_png_that_decodes_to_the_same_pixels():
    from trendscore.trends.canvas import png_bytes

    rng = np.random.default_rng(0)
    for size in [(1, 1), (7, 3), (300, 200)]:
        array = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        image = Image.fromarray(array, "RGB")
        decoded = Image.open(io.BytesIO(png_bytes(image)))
        decoded.load()  # checks every chunk's CRC and the deflate stream
        assert decoded.mode == "RGB" and decoded.size == size and decoded.tobytes() == image.tobytes()


def test_columns_stack_the_panels_for_a_narrow_screen():
    score = trendscore.score(_records(True), as_of="2025-05-25")
    two, _ = _pixels(plot_png(score))
    one, pixels = _pixels(plot_png(score, columns=1))
    assert (two.width, one.width) == (1200, 600) and one.height > two.height
    assert _count(pixels, _green) > 500  # the rising theme is still drawn
    with pytest.raises(ValueError):
        plot_png(score, columns=0)


def test_a_period_between_gaps_shows_its_interval():
    start = dt.date(2025, 1, 6)
    rng = random.Random(3)
    records = [
        {"date": (start + dt.timedelta(days=d)).isoformat(), "labels": ["policy"] if rng.random() < 0.3 else []}
        for d in range(0, 40, 2)  # every other day: each day stands alone between empty ones
        for _ in range(6)
    ]
    score = trendscore.score(records, freq="day")
    _, pixels = _pixels(plot_png(score, columns=1))
    light_blue = _count(pixels, lambda r, g, b: (r > 190) & (b > r + 12) & (b < 250))
    assert light_blue > 300  # a short bar of the band at each lone day


def _ranking_names(page: str) -> list[str]:
    import re

    return re.findall(r"<tr><td>\d+</td><td class=l>([^<]*)</td>", page)


def test_chinese_names_follow_the_theme_name_whatever_labelled_it():
    """``--lang zh`` names the five bundled themes in Chinese by their name: labels read as given
    (``label``'s output scored later, no model in use) get them as the bundled model's would;
    a theme of the user's own keeps its name."""
    from trendscore.trends.report import report_html

    records = _records(rising=True)
    for r in records[::7]:
        r["labels"] = r["labels"] + ["esports"]
    score = trendscore.score(records)
    assert score.labelled_by["model"] is None
    assert sorted(_ranking_names(report_html(score, lang="zh"))) == sorted(["政策", "技术", "文化", "esports"])


def test_a_theme_named_in_chinese_is_not_shown_twice():
    """A score holding both ``policy`` and the user's own ``政策`` had shown two rows named 政策
    under ``--lang zh``: ``policy`` keeps its name when its Chinese one is taken."""
    from trendscore.trends.plot import theme_name
    from trendscore.trends.report import report_html

    records = _records(rising=False)
    for r in records[::5]:
        r["labels"] = ["政策"]
    score = trendscore.score(records)
    names = _ranking_names(report_html(score, lang="zh"))
    assert sorted(names) == sorted(["policy", "政策", "技术", "文化"])
    assert theme_name("policy", "zh", ["政策", "policy"]) == "policy"
    assert theme_name("culture", "zh", ["政策", "policy"]) == "文化"
