"""The Qt-free translations: locale choice, the .ts reader, alert texts in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shared import stack_finished

from rostray.core import i18n
from rostray.core.alerts import compose, friendly, summarize
from rostray.core.payload import Output

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "C"),
        ({"LANG": "C.UTF-8"}, "C"),
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN.UTF-8"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "zh_TW.UTF-8"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "de_DE", "LC_ALL": "en_GB"}, "en_GB"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh_CN"),
        ({"LANG": "C", "LANGUAGE": "zh_CN"}, "C"),  # gettext ignores LANGUAGE under C
        ({"LC_ALL": "", "LANG": "zh_HK.UTF-8"}, "zh_HK.UTF-8"),
    ],
)
def test_system_language(environ: dict[str, str], expected: str) -> None:
    assert i18n.system_language(environ) == expected


@pytest.mark.parametrize(
    ("choice", "system", "code"),
    [
        ("auto", "zh_CN.UTF-8", "zh_CN"),
        ("auto", "zh_TW.UTF-8", "zh_CN"),
        ("auto", "zh-Hant-HK", "zh_CN"),
        ("auto", "C", "en"),
        ("auto", "de_DE", "en"),
        ("en", "zh_CN.UTF-8", "en"),  # the setting beats the locale
        ("zh_CN", "C", "zh_CN"),
    ],
)
def test_language_code(choice: str, system: str, code: str) -> None:
    assert i18n.language_code(choice, system) == code


TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Alerts</name>
    <message><source>created</source><translation>已创建</translation></message>
    <message><source>draft</source><translation type="unfinished">草稿</translation></message>
    <message><source>gone</source><translation type="vanished">没了</translation></message>
    <message><source>empty</source><translation></translation></message>
    <message><source>Open</source><comment>verb</comment><translation>打开</translation></message>
    <message numerus="yes"><source>%n items</source>
        <translation><numerusform>%n 项</numerusform></translation></message>
</context>
</TS>
"""


def test_read_catalogue_keeps_only_finished_messages(tmp_path: Path) -> None:
    path = tmp_path / "x.ts"
    path.write_text(TS, encoding="utf-8")
    assert i18n.read_catalogue(path) == {
        ("Alerts", "created"): "已创建",
        ("Alerts", "%n items"): "%n 项",
    }


def test_the_shipped_catalogue_is_read_without_qt() -> None:
    translate = i18n.translator("zh_CN")
    assert translate("Alerts", "created") == "已创建"
    assert translate("Alerts", "no such text") == "no such text"
    assert translate("Nowhere", "created") == "created"  # contexts are kept apart
    assert i18n.translator_for("en") is i18n.english


def event(status: str, outputs: int = 1, sandbox: bool = False, reason: str = ""):
    return stack_finished(
        "s-1",
        status,
        tuple(Output(f"K{n}", f"v{n}", "") for n in range(outputs)),
        stack_name="web",
        reason=reason,
        sandbox=sandbox,
    )


def test_english_alerts_are_unchanged() -> None:
    alert = compose(event("CREATE_COMPLETE", outputs=5))
    assert alert.title == "web created — CREATE_COMPLETE"
    assert alert.body.splitlines() == ["K0: v0", "K1: v1", "K2: v2", "+2 more outputs"]
    assert alert.copy_label == "Copy K0"
    assert compose(event("CREATE_COMPLETE", 4)).body.endswith("+1 more output")
    assert compose(event("CREATE_COMPLETE", 0)).body == "No outputs."
    failed = compose(event("CREATE_ROLLBACK_COMPLETE", 0, sandbox=True, reason="quota"))
    assert failed.title == "web creation failed, rolled back — CREATE_ROLLBACK_COMPLETE (sandbox)"
    assert compose(event("ODD_STATUS")).title == "web: ODD_STATUS"
    burst = summarize([event("CREATE_COMPLETE")] * 7 + [event("CREATE_FAILED")])
    assert burst.title == "8 stacks finished, 1 failed"
    assert burst.body.splitlines()[-1] == "+2 more"


def test_chinese_alerts_keep_codes_and_payload_text() -> None:
    zh = i18n.translator("zh_CN")
    alert = compose(event("CREATE_ROLLBACK_COMPLETE", 5, sandbox=True, reason="<b>q</b>"), 3, zh)
    assert CJK.search(alert.title)
    assert "CREATE_ROLLBACK_COMPLETE" in alert.title and "web" in alert.title
    assert friendly("CREATE_ROLLBACK_COMPLETE", zh) in alert.title
    assert zh("Alerts", "{title} (sandbox)").format(title="") in alert.title
    lines = alert.body.splitlines()
    assert lines[:2] == ["<b>q</b>", "K0: v0"]  # the reason and outputs are never translated
    assert CJK.search(lines[-1]) and "2" in lines[-1]
    assert CJK.search(alert.copy_label or "") and "K0" in (alert.copy_label or "")
    assert CJK.search(compose(event("CREATE_COMPLETE", 0), 3, zh).body)
    burst = summarize([event("CREATE_COMPLETE")] * 7 + [event("CREATE_FAILED")], zh)
    assert CJK.search(burst.title) and "8" in burst.title and "1" in burst.title
    assert CJK.search(burst.body.splitlines()[-1])
    assert friendly("NOT_A_STATUS", zh) == ""


def test_deferred_text_is_english_until_rendered() -> None:
    from rostray.core.engine import LaunchRefused

    reason = i18n.deferred.translate("Engine", "the tunnel is not verified ({phase}: {reason})")
    reason = reason.format(phase="failed", reason="no authtoken")
    outer = i18n.deferred.translate(
        "Engine",
        "{reason}. Fix the tunnel, or launch anyway and learn the result by polling (--poll).",
    ).format(reason=reason)
    exc = LaunchRefused(outer)
    assert str(exc) == (
        "the tunnel is not verified (failed: no authtoken). Fix the tunnel, or launch anyway "
        "and learn the result by polling (--poll)."
    )
    zh = i18n.localized(exc, i18n.translator("zh_CN"))
    assert CJK.search(zh) and "failed: no authtoken" not in zh  # the inner part is translated
    assert "no authtoken" in zh and "--poll" in zh  # arguments are kept as they are
    assert i18n.localized(exc, i18n.english) == str(exc)
    assert i18n.localized(LaunchRefused("plain"), i18n.translator("zh_CN")) == "plain"
    assert i18n.localized(ValueError("x"), i18n.translator("zh_CN")) == "x"
