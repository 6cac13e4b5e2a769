"""Real-desktop end-to-end tests. They never skip: a missing tool is a failure that names
the script which installs it (scripts/desktop-deps.sh, run by `make test`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from desktop import Desktop, missing_tools


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    missing = missing_tools()
    if missing:
        pytest.fail(f"real-desktop test needs {', '.join(missing)}: run scripts/desktop-deps.sh")
    session = Desktop(tmp_path_factory.mktemp("desktop")).start()
    try:
        yield session
    finally:
        session.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.e2e)
