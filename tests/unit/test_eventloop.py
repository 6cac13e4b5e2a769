"""The loop the Qt-free entry points run on: uvloop when installed, asyncio's on request."""

from __future__ import annotations

import asyncio
import gc
import sys
import warnings

import pytest
import uvloop

from rostray.core.eventloop import ENV_VAR, EventLoopError, loop_factory, loop_name, run


async def running_loop_name() -> str:
    return loop_name(asyncio.get_running_loop())


def test_uvloop_by_default_when_installed() -> None:
    assert loop_factory({}) is uvloop.new_event_loop
    assert loop_factory({ENV_VAR: ""}) is uvloop.new_event_loop
    assert loop_factory({ENV_VAR: " UVLOOP "}) is uvloop.new_event_loop
    assert run(running_loop_name(), {}) == "uvloop"


def test_asyncio_on_request() -> None:
    assert loop_factory({ENV_VAR: "asyncio"}) is None
    assert run(running_loop_name(), {ENV_VAR: "asyncio"}) == "asyncio"


def test_without_uvloop_auto_falls_back_and_uvloop_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # what `import uvloop` sees on Windows
    assert loop_factory({}) is None
    assert run(running_loop_name(), {}) == "asyncio"
    with pytest.raises(EventLoopError, match="uvloop is not installed here"):
        loop_factory({ENV_VAR: "uvloop"})


def test_an_unknown_choice_names_the_variable_and_the_choices() -> None:
    with pytest.raises(EventLoopError) as caught:
        loop_factory({ENV_VAR: "trio"})
    message = str(caught.value)
    assert "ROSTRAY_EVENT_LOOP='trio'" in message
    assert "auto, uvloop, asyncio" in message


def test_a_refused_choice_closes_the_coroutine_it_was_given() -> None:
    main = running_loop_name()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would be one
        with pytest.raises(EventLoopError):
            run(main, {ENV_VAR: "trio"})
        assert main.cr_frame is None  # closed, not left for the collector to warn about
        del main
        gc.collect()


def test_loop_name_of_each_loop() -> None:
    for factory, name in ((asyncio.new_event_loop, "asyncio"), (uvloop.new_event_loop, "uvloop")):
        loop = factory()
        try:
            assert loop_name(loop) == name
        finally:
            loop.close()
