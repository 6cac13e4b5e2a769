"""atheris: the template loader and parameter checks. Any bytes → Template or TemplateError;
then fuzzed parameter values → typed values or TemplateError."""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports(include=["rostray", "yaml"]):  # PyYAML is pure Python
    from rostray.core.templates import TemplateError, load_template, resolve_parameters


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    values = [fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40)) for _ in range(3)]
    text = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        template = load_template(text)
    except TemplateError as exc:
        assert exc.code and len(exc.message) < 400, exc.message
        return
    given = dict(zip(list(template.parameters)[:3], values, strict=False))
    with contextlib.suppress(TemplateError):
        resolve_parameters(template, given, collect=True)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
