"""Every page speaks Chinese by default and English on request, with no message left untranslated."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from guildcard.web.i18n import LOCALE_DIR, pick_language, translations
from guildcard.web.templating import TEMPLATES, Renderer


def test_chinese_is_the_default_and_english_a_switch():
    assert pick_language(query=None, cookie=None, accept_language=None) == "zh-CN"
    assert pick_language(query=None, cookie=None, accept_language="en-US,en;q=0.9") == "en"
    assert pick_language(query="en", cookie="zh-CN", accept_language=None) == "en"
    assert pick_language(query=None, cookie="en", accept_language="zh-CN") == "en"
    assert pick_language(query="xx", cookie=None, accept_language=None) == "zh-CN"


def test_every_message_in_the_templates_has_a_chinese_translation():
    zh = translations("zh-CN")
    method_map = [("**.html", "jinja2.ext:babel_extract")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    messages = {
        message
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(TEMPLATES), method_map, options_map=options
        )
    }
    assert messages, "no messages extracted: the check itself is broken"
    untranslated = sorted(m for m in messages if isinstance(m, str) and zh.gettext(m) == m)
    assert untranslated == [], f"add these to {LOCALE_DIR}/zh_CN/LC_MESSAGES/messages.po"


def test_the_home_page_renders_in_both_languages():
    renderer = Renderer()
    zh = renderer.render("home.html", language="zh-CN", request=None)
    en = renderer.render("home.html", language="en", request=None)
    assert "一张卡，逛遍整个商圈" in zh
    assert '<html lang="zh-CN">' in zh
    assert "One card for the whole shopping district" in en


def test_charts_are_svg_and_tables_drawn_on_the_server():
    env = Renderer().environment("zh-CN")
    charts = env.get_template("macros/charts.html").module
    svg = str(charts.bar_chart([("11-01", 120), ("11-02", 0), ("11-03", 60)], "每日积分"))
    assert svg.count("<rect") == 3
    assert 'height="160.0"' in svg, "the largest bar fills the chart"
    matrix = str(charts.flow_matrix(["火锅", "影院"], [[0, 1500], [200, 0]], "积分流向"))
    assert "获得于" in matrix
    assert "1,500" in matrix


def test_no_message_is_translated_two_ways_across_the_area_catalogs():
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((LOCALE_DIR / "zh_CN" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            for message in read_po(po):
                if not message.id or not message.string:
                    continue
                first = seen.setdefault(message.id, (path.name, message.string))
                if first[1] != message.string:
                    clashes.append(
                        f"{message.id!r}: {first[0]}={first[1]!r} vs {path.name}={message.string!r}"
                    )
    assert clashes == [], "\n".join(clashes)
