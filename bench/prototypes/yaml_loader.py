"""Prototype: rostray's strict YAML loader on libyaml's C parser. Stands in for a change to
``_StrictLoader`` / ``load_document`` in ``rostray/core/yamlload.py``.

Only scanning and parsing move to C (``yaml.CParser`` hands out events); composing and
constructing stay in the Python classes rostray already has, so the nesting-depth guard in
``_StrictLoader.compose_node``, the short-form tags, duplicate-key errors and the date rule
all still apply. (Swapping in ``yaml.CSafeLoader`` whole would skip that depth guard, because
its composer is C.) Falls back to the shipped loader where PyYAML has no libyaml.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from rostray.core import yamlload


class CParsedStrictLoader(yamlload._StrictLoader):
    def __init__(self, stream: str) -> None:
        from yaml._yaml import CParser  # present only where PyYAML was built with libyaml

        self._events = CParser(stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def check_event(self, *choices: Any) -> bool:
        return bool(self._events.check_event(*choices))

    def peek_event(self) -> Any:
        return self._events.peek_event()

    def get_event(self) -> Any:
        return self._events.get_event()

    def dispose(self) -> None:
        self._events.dispose()


def load_yaml(text: str) -> Any:
    loader = CParsedStrictLoader if yaml.__with_libyaml__ else yamlload._StrictLoader
    return yaml.load(text, Loader=loader)
