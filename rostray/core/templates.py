"""The ROS template model shared by the sandbox, the CLI and the launch form.

One place knows what a parameter is, how it is labelled in each language and which values it
accepts, so the form's field errors, the CLI's errors and the sandbox's API errors agree.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rostray.core.yamlload import LoadError, load_document

TEMPLATE_VERSION = "2015-09-01"
SECTIONS = frozenset(
    {
        "ROSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Parameters",
        "Mappings",
        "Conditions",
        "Resources",
        "Outputs",
        "Rules",
        "Transform",
        "Workspace",
        "Locals",
    }
)
PARAMETER_TYPES = frozenset(
    {
        "String",
        "Number",
        "CommaDelimitedList",
        "Json",
        "Boolean",
        "ALIYUN::OOS::Parameter::Value",
        "ALIYUN::OOS::SecretParameter::Value",
    }
)
PARAMETER_PROPERTIES = frozenset(
    {
        "Type",
        "Default",
        "AllowedValues",
        "AllowedPattern",
        "MinLength",
        "MaxLength",
        "MinValue",
        "MaxValue",
        "Description",
        "ConstraintDescription",
        "Label",
        "NoEcho",
        "Confirm",
        "TextArea",
        "AssociationProperty",
        "AssociationPropertyMetadata",
        "Required",
        "Placeholder",
    }
)
MASK = "****"


class TemplateError(ValueError):
    """A template or parameter problem, carrying the ROS error code it maps to."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ParameterError(TemplateError):
    """A value the template does not accept; ``key`` names the parameter for the form."""

    def __init__(self, code: str, message: str, key: str) -> None:
        super().__init__(code, message)
        self.key = key


def pick_text(value: Any, language: str = "en") -> str:
    """Choose a text from a plain string or an ``{en, zh-cn}`` dict: locale, then en, then any."""
    if value is None:
        return ""
    if not isinstance(value, Mapping):
        return str(value)
    wanted = language.lower().replace("_", "-")
    candidates = [wanted, wanted.split("-")[0], "default", "en"]
    if wanted.startswith("zh"):
        candidates.insert(1, "zh-cn")
    lowered = {str(k).lower(): v for k, v in value.items()}
    for key in candidates:
        if key in lowered and lowered[key] not in (None, ""):
            return str(lowered[key])
    return next((str(v) for v in value.values() if v not in (None, "")), "")


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _as_number(value: Any, what: str, key: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TemplateError(
            "InvalidSchema", f"Parameter {key}: {what} must be a number, not {value!r}"
        ) from None
    if not math.isfinite(number):
        raise TemplateError("InvalidSchema", f"Parameter {key}: {what} must be finite")
    return number


@dataclass(frozen=True)
class ParameterSpec:
    key: str
    type: str = "String"
    default: Any = None
    has_default: bool = False
    allowed_values: tuple[Any, ...] | None = None
    allowed_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    label: Any = None
    description: Any = None
    constraint_description: Any = None
    no_echo: bool = False
    confirm: bool = False
    text_area: bool = False
    association_property: str | None = None
    association_metadata: Mapping[str, Any] = field(default_factory=dict)

    def label_text(self, language: str = "en") -> str:
        return pick_text(self.label, language) or self.key

    def description_text(self, language: str = "en") -> str:
        return pick_text(self.description, language)

    def display_default(self) -> str:
        """The default as a form would prefill it (text), empty when there is none."""
        if not self.has_default or self.default is None:
            return ""
        return format_value(self.default, self.type)

    @classmethod
    def from_definition(cls, key: str, definition: Any) -> ParameterSpec:
        if not isinstance(definition, Mapping):
            raise TemplateError("InvalidSchema", f"Parameter {key} must be a mapping")
        kind = definition.get("Type")
        if kind not in PARAMETER_TYPES:
            raise TemplateError(
                "InvalidSchema",
                f"Parameter {key}: Type {kind!r} is not one of "
                + ", ".join(sorted(PARAMETER_TYPES)),
            )
        allowed = definition.get("AllowedValues")
        if allowed is not None and not isinstance(allowed, list):
            raise TemplateError("InvalidSchema", f"Parameter {key}: AllowedValues must be a list")
        pattern = definition.get("AllowedPattern")
        if pattern is not None:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise TemplateError(
                    "InvalidSchema", f"Parameter {key}: AllowedPattern is not a valid regex ({exc})"
                ) from None
        min_length = _as_number(definition.get("MinLength"), "MinLength", key)
        max_length = _as_number(definition.get("MaxLength"), "MaxLength", key)
        return cls(
            key=key,
            type=kind,
            default=definition.get("Default"),
            has_default="Default" in definition,
            allowed_values=tuple(allowed) if allowed is not None else None,
            allowed_pattern=str(pattern) if pattern is not None else None,
            min_length=int(min_length) if min_length is not None else None,
            max_length=int(max_length) if max_length is not None else None,
            min_value=_as_number(definition.get("MinValue"), "MinValue", key),
            max_value=_as_number(definition.get("MaxValue"), "MaxValue", key),
            label=definition.get("Label"),
            description=definition.get("Description"),
            constraint_description=definition.get("ConstraintDescription"),
            no_echo=_as_bool(definition.get("NoEcho", False)),
            confirm=_as_bool(definition.get("Confirm", False)),
            text_area=_as_bool(definition.get("TextArea", False)),
            association_property=(
                str(definition["AssociationProperty"])
                if definition.get("AssociationProperty") is not None
                else None
            ),
            association_metadata=dict(definition.get("AssociationPropertyMetadata") or {}),
        )


@dataclass(frozen=True)
class ParameterGroup:
    label: Any
    keys: tuple[str, ...]

    def label_text(self, language: str = "en") -> str:
        return pick_text(self.label, language)


@dataclass(frozen=True)
class Template:
    """A parsed template: the raw document plus the parts front ends need."""

    document: Mapping[str, Any]
    parameters: Mapping[str, ParameterSpec]
    groups: tuple[ParameterGroup, ...]

    @property
    def description(self) -> Any:
        return self.document.get("Description")

    def description_text(self, language: str = "en") -> str:
        return pick_text(self.description, language)

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.document.get(name)
        return value if isinstance(value, Mapping) else {}

    @property
    def resources(self) -> Mapping[str, Any]:
        return self.section("Resources")

    @property
    def outputs(self) -> Mapping[str, Any]:
        return self.section("Outputs")

    def grouped_parameters(self) -> list[tuple[ParameterGroup | None, list[ParameterSpec]]]:
        """Groups in template order, then one ``None`` group with everything not grouped."""
        placed: set[str] = set()
        result: list[tuple[ParameterGroup | None, list[ParameterSpec]]] = []
        for group in self.groups:
            specs = [self.parameters[k] for k in group.keys if k in self.parameters]
            placed.update(s.key for s in specs)
            if specs:
                result.append((group, specs))
        rest = [spec for key, spec in self.parameters.items() if key not in placed]
        if rest:
            result.append((None, rest))
        return result


def _parse_groups(metadata: Any) -> tuple[ParameterGroup, ...]:
    if not isinstance(metadata, Mapping):
        return ()
    interface = metadata.get("ALIYUN::ROS::Interface")
    if not isinstance(interface, Mapping):
        return ()
    groups = interface.get("ParameterGroups")
    if not isinstance(groups, list):
        return ()
    result = []
    for group in groups:
        if not isinstance(group, Mapping) or not isinstance(group.get("Parameters"), list):
            continue
        label = group.get("Label")
        if isinstance(label, Mapping) and "default" in label and len(label) == 1:
            label = label["default"]
        result.append(ParameterGroup(label, tuple(str(k) for k in group["Parameters"])))
    return tuple(result)


def parse_template(document: Any) -> Template:
    """Check the template's outline (sections, version, parameter definitions) and model it."""
    if not isinstance(document, Mapping):
        raise TemplateError("InvalidTemplate", "The template must be a JSON or YAML mapping")
    version = document.get("ROSTemplateFormatVersion")
    if version is None:
        raise TemplateError(
            "InvalidTemplateVersion",
            "The template version is invalid: ROSTemplateFormatVersion is missing",
        )
    if str(version) != TEMPLATE_VERSION:
        raise TemplateError(
            "InvalidTemplateVersion",
            f'The template version is invalid: "{version}" is not "{TEMPLATE_VERSION}"',
        )
    for section in document:
        if section not in SECTIONS:
            raise TemplateError(
                "InvalidTemplateSection", f"The template section is invalid: {section}"
            )
    for section in ("Parameters", "Mappings", "Conditions", "Resources", "Outputs", "Metadata"):
        value = document.get(section)
        if value is not None and not isinstance(value, Mapping):
            raise TemplateError(
                "InvalidTemplateSection", f"The template section is invalid: {section}"
            )
    parameters = {
        str(key): ParameterSpec.from_definition(str(key), definition)
        for key, definition in (document.get("Parameters") or {}).items()
    }
    return Template(document, parameters, _parse_groups(document.get("Metadata")))


def load_template(data: str | bytes) -> Template:
    """Text to Template; every failure is a TemplateError with a ROS code and a clear message."""
    try:
        document = load_document(data)
    except LoadError as exc:
        raise TemplateError("InvalidTemplate", f"Template format error: {exc}") from None
    return parse_template(document)


# --- parameter values -------------------------------------------------------------------


def format_value(value: Any, kind: str) -> str:
    """A typed value as the string ROS and the form use (lists comma-joined, JSON dumped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "CommaDelimitedList" and isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _invalid(spec: ParameterSpec, reason: str) -> ParameterError:
    custom = pick_text(spec.constraint_description)
    return ParameterError(
        "StackValidationFailed", f"Parameter '{spec.key}' is invalid: {custom or reason}", spec.key
    )


def _shown(spec: ParameterSpec, value: Any) -> str:
    return "the value" if spec.no_echo else f'"{format_value(value, spec.type)}"'


def _to_number(spec: ParameterSpec, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise _invalid(spec, f"{_shown(spec, raw)} is not a number")
    if isinstance(raw, int | float):
        number: int | float = raw
    else:
        text = str(raw).strip()
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _invalid(spec, f"{_shown(spec, raw)} is not a number") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise _invalid(spec, f"{_shown(spec, raw)} is not a finite number")
    return number


def _to_typed(spec: ParameterSpec, raw: Any) -> Any:
    kind = spec.type
    if kind == "Number":
        return _to_number(spec, raw)
    if kind == "Boolean":
        text = format_value(raw, kind).strip().lower()
        if text not in ("true", "false"):
            raise _invalid(spec, f"{_shown(spec, raw)} is not a boolean (true or false)")
        return text == "true"
    if kind == "CommaDelimitedList":
        if isinstance(raw, list):
            return [format_value(v, "String") for v in raw]
        text = str(raw)
        return [] if text == "" else [item.strip() for item in text.split(",")]
    if kind == "Json":
        if isinstance(raw, dict | list):
            return raw
        try:
            value = json.loads(str(raw))
        except (ValueError, RecursionError):
            raise _invalid(spec, "the value is not valid JSON") from None
        if not isinstance(value, dict | list):
            raise _invalid(spec, "the value must be a JSON object or array")
        return value
    return format_value(raw, "String") if not isinstance(raw, str) else raw


def _check_allowed(spec: ParameterSpec, value: Any) -> None:
    if spec.allowed_values is None:
        return
    if spec.type == "Number":
        allowed = set()
        for option in spec.allowed_values:
            try:
                allowed.add(float(option))
            except (TypeError, ValueError):
                continue
        if float(value) not in allowed:
            raise _invalid(spec, f"{_shown(spec, value)} is not an allowed value")
        return
    allowed_text = {
        format_value(v, spec.type).lower() if spec.type == "Boolean" else format_value(v, "String")
        for v in spec.allowed_values
    }
    items = value if spec.type == "CommaDelimitedList" else [value]
    for item in items:
        text = format_value(item, spec.type)
        if spec.type == "Boolean":
            text = text.lower()
        if text not in allowed_text:
            options = ", ".join(sorted(allowed_text))
            raise _invalid(spec, f"{_shown(spec, item)} is not an allowed value [{options}]")


def _check_constraints(spec: ParameterSpec, value: Any) -> None:
    _check_allowed(spec, value)
    if spec.allowed_pattern is not None and spec.type not in ("Number", "Boolean", "Json"):
        items = value if spec.type == "CommaDelimitedList" else [value]
        for item in items:
            if re.fullmatch(spec.allowed_pattern, str(item)) is None:
                raise _invalid(
                    spec, f'{_shown(spec, item)} does not match pattern "{spec.allowed_pattern}"'
                )
    if spec.min_length is not None or spec.max_length is not None:
        length = len(value) if not isinstance(value, int | float | bool) else None
        if length is not None and (
            (spec.min_length is not None and length < spec.min_length)
            or (spec.max_length is not None and length > spec.max_length)
        ):
            raise _invalid(
                spec,
                f"length ({length}) is out of range "
                f"(min: {spec.min_length}, max: {spec.max_length})",
            )
    if spec.type == "Number" and (
        (spec.min_value is not None and value < spec.min_value)
        or (spec.max_value is not None and value > spec.max_value)
    ):
        lo = format_value(spec.min_value, "Number") if spec.min_value is not None else None
        hi = format_value(spec.max_value, "Number") if spec.max_value is not None else None
        shown = "the value" if spec.no_echo else format_value(value, "Number")
        raise _invalid(spec, f"{shown} is out of range (min: {lo}, max: {hi})")


def coerce_parameter(spec: ParameterSpec, raw: Any) -> Any:
    """Turn a given value (usually a string) into the typed value, checking every constraint."""
    value = _to_typed(spec, raw)
    _check_constraints(spec, value)
    return value


def _given_or_default(spec: ParameterSpec, given: Mapping[str, Any]) -> tuple[bool, Any]:
    if spec.key in given:
        return True, given[spec.key]
    if spec.has_default:
        return True, spec.default
    return False, None


def resolve_parameters(
    template: Template, given: Mapping[str, Any], *, collect: bool = False
) -> dict[str, Any]:
    """Typed values for every parameter: given values, then defaults.

    Raises the first error, or with ``collect=True`` a ``ParameterErrors`` holding all of
    them so a form or CLI can show each next to its parameter.
    """
    errors: list[ParameterError] = []
    for key in given:
        if key not in template.parameters:
            errors.append(
                ParameterError(
                    "UnknownUserParameter",
                    f"The Parameter ({key}) was not defined in template.",
                    key,
                )
            )
    values: dict[str, Any] = {}
    for key, spec in template.parameters.items():
        present, raw = _given_or_default(spec, given)
        if not present:
            errors.append(
                ParameterError(
                    "UserParameterMissing", f"The Parameter {key} was not provided.", key
                )
            )
            continue
        if raw is None:  # Default: null means "empty, not validated"
            values[key] = None
            continue
        try:
            values[key] = coerce_parameter(spec, raw)
        except ParameterError as exc:
            errors.append(exc)
    if errors:
        if collect:
            raise ParameterErrors(errors)
        raise errors[0]
    return values


class ParameterErrors(TemplateError):
    """Several parameter errors at once (CLI and form show them all)."""

    def __init__(self, errors: Iterable[ParameterError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.code, "; ".join(e.message for e in self.errors))


def masked_parameters(template: Template, values: Mapping[str, Any]) -> dict[str, str]:
    """Parameter values as strings, NoEcho ones replaced by ``****`` (for GetStack and history)."""
    result = {}
    for key, value in values.items():
        spec = template.parameters.get(key)
        if spec is not None and spec.no_echo:
            result[key] = MASK
        else:
            result[key] = "" if value is None else format_value(value, spec.type if spec else "")
    return result
