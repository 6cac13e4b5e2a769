"""Markup and spoofing in payloads and outputs are shown inert by the core's display paths:
``rostray.core.text.inert``, ``rostray.core.alerts.compose``/``summarize`` and the CLI's
output helpers. (GUI widgets are the GUI engineers' tests; the end-to-end path from a signal's
data through GetStack to the CLI and headless output is in test_sec_outputs_e2e.py.)"""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rostray.commands.output import outputs_text, result_json, result_text, table
from rostray.core.alerts import REASON_LIMIT, VALUE_LIMIT, compose, summarize
from rostray.core.events import StackFinished
from rostray.core.i18n import translator
from rostray.core.payload import Output
from rostray.core.text import inert, redact_hook_tokens

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = [
    "\x1b[2J\x1b[31mPWNED\x1b[0m",  # ANSI: clear screen, colour
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",  # OSC 8 hyperlink
    "\x1b]0;new terminal title\x07",
    "safe\u202egnp.exe",  # right-to-left override
    "\u2066isolated\u2069 \u200fRLM \u061cALM",  # isolates and marks
    "zero\u200bwidth\u200d\ufeffjoin",
    "tag\U000e0041\U000e0042chars",  # invisible Unicode tag characters
    "<a href='https://evil.example'>click</a> <b>bold</b> &amp; &lt;",
    "line1\nline2\r\nline3\u2028line4\u2029line5\x85",
    "bell\x07 backspace\x08\x08 del\x7f c1\x9b31m",
    "lone \ud800 surrogate \udcff",
    "x" * 100_000,
]
HIDDEN_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def assert_inert_line(text: str) -> None:
    for ch in text:
        assert unicodedata.category(ch) not in HIDDEN_CATEGORIES, (hex(ord(ch)), text[:80])
    text.encode("utf-8")  # printable to any UTF-8 terminal or file


def assert_inert_lines(text: str) -> None:
    for line in text.split("\n"):
        assert_inert_line(line)


def event(name: str, reason: str, outputs: tuple[Output, ...], status: str) -> StackFinished:
    return StackFinished(
        stack_id="6f3c2b1e-0000-4000-8000-2c1a9d0e7b55",
        stack_name=name,
        region="cn-hangzhou",
        operation="CREATE",
        status=status,
        status_reason=reason,
        outputs=outputs,
        via="callback",
        launched_at=0.0,
        sandbox=False,
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@FAST
@given(st.text() | st.sampled_from(HOSTILE), st.none() | st.integers(0, 200))
def test_inert_is_one_plain_line(text: str, limit: int | None) -> None:
    shown = inert(text, limit)
    assert_inert_line(shown)
    assert shown == shown.strip() and "  " not in shown
    if limit is not None:
        assert len(shown) <= max(limit, 1)
    assert inert(shown) == shown  # idempotent: nothing hidden is left to strip


@FAST
@given(json_values)
def test_inert_any_json_value(value: object) -> None:
    assert_inert_line(inert(value, 50))


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_keeps_the_visible_words(text: str) -> None:
    shown = inert(text)
    assert "\x1b" not in shown and "\u202e" not in shown
    if "PWNED" in text:
        assert "PWNED" in shown  # shown, not executed: the words remain, the escapes go
    if "<a href" in text:
        assert shown.startswith("<a href=")  # plain text; escaping is the renderer's job


@FAST
@given(
    st.text() | st.sampled_from(HOSTILE),
    st.text() | st.sampled_from(HOSTILE),
    st.lists(st.tuples(st.text() | st.sampled_from(HOSTILE), json_values), max_size=5),
    st.sampled_from(["CREATE_COMPLETE", "CREATE_ROLLBACK_COMPLETE", "UPDATE_FAILED"]),
    st.sampled_from(["en", "zh_CN"]),
)
def test_alerts_are_inert(
    name: str, reason: str, outputs: list[tuple[str, object]], status: str, language: str
) -> None:
    translate = translator(language)  # translated templates must not change the rule
    items = tuple(Output(key, value, "d") for key, value in outputs)
    alert = compose(event(name, reason, items, status), 3, translate)
    assert_inert_line(alert.title)
    assert_inert_lines(alert.body)
    for line in alert.body.split("\n"):
        assert len(line) <= max(REASON_LIMIT, 40 + 2 + VALUE_LIMIT)
    markup = alert.body_markup()
    assert "<" not in markup and ">" not in markup
    assert "&" not in markup.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
    if alert.copy_label is not None:
        assert_inert_line(alert.copy_label)
    burst = summarize([event(name, reason, items, status)] * 8, translate)
    assert_inert_line(burst.title)
    assert_inert_lines(burst.body)


@pytest.mark.parametrize("text", HOSTILE)
def test_cli_result_text_and_tables_are_inert(text: str) -> None:
    outputs = (Output(text, text, text), Output("Url", {"nested": text}, "No description given"))
    finished = event(text, text, outputs, "CREATE_FAILED")
    assert_inert_lines(result_text(finished))
    assert_inert_lines(outputs_text(outputs))
    assert_inert_lines(table([(inert(text, 40), "cn-hangzhou")], ("Stack", "Region")))


@pytest.mark.parametrize("text", HOSTILE)
def test_cli_json_result_is_valid_utf8_json(text: str) -> None:
    outputs = (Output(text, text, text),)
    line = json.dumps(result_json(event("n", text, outputs, "CREATE_COMPLETE")), ensure_ascii=True)
    assert "\x1b" not in line and "\n" not in line
    decoded = json.loads(line)
    assert decoded["Outputs"][0]["OutputValue"] == outputs[0].value


def test_outputs_carry_no_lone_surrogates() -> None:
    output = Output("k\ud800", {"v": ["\udcff"]}, "\ud83d")
    assert output.key == "k\ufffd" and output.value == {"v": ["\ufffd"]}
    json.dumps(output.value, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://127.0.0.1:5/hooks/AbCdEfGhIj", "http://127.0.0.1:5/hooks/AbCd…"),
        ("NotificationURLs.1=http%3A%2F%2Fh%2Fhooks%2FAbCdEfGh&x", "…hooks%2FAbCd…&x"),
        ('{"u": "https:\\/\\/h\\/hooks\\/AbCdEfGh"}', '…hooks\\/AbCd…"}'),
        ("/hooks/AbCd…", "/hooks/AbCd…"),  # idempotent
    ],
)
def test_hook_tokens_are_redacted(text: str, expected: str) -> None:
    shown = redact_hook_tokens(text)
    assert shown.endswith(expected.lstrip("…")) if expected.startswith("…") else shown == expected
    assert "EfGh" not in shown
