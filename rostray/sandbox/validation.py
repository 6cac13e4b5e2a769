"""Static template checks the sandbox runs inside CreateStack/ValidateTemplate, as ROS does:
resource shapes, references, attributes and the dependency graph (cycles included)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rostray.core.templates import ParameterError, Template, coerce_parameter
from rostray.sandbox import errors
from rostray.sandbox.functions import find_references
from rostray.sandbox.resources import known_attributes

MAX_RESOURCES = 200
RESOURCE_KEYS = frozenset(
    {
        "Type",
        "Properties",
        "DependsOn",
        "DeletionPolicy",
        "Condition",
        "Metadata",
        "Description",
        "Count",
        "UpdatePolicy",
        "CreationPolicy",
    }
)
PSEUDO_PARAMETERS = frozenset(
    {
        "ALIYUN::StackName",
        "ALIYUN::StackId",
        "ALIYUN::Region",
        "ALIYUN::AccountId",
        "ALIYUN::TenantId",
        "ALIYUN::ResourceGroupId",
        "ALIYUN::NoValue",
        "ALIYUN::Index",
    }
)


def _depends_on(name: str, definition: Mapping[str, Any], resources: Mapping[str, Any]) -> set[str]:
    raw = definition.get("DependsOn")
    if raw is None:
        return set()
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise errors.validation_failed(f"DependsOn of resource {name} must be a name or a list")
    for target in names:
        if target not in resources:
            raise errors.invalid_reference(target, name)
    return set(names)


def _check_references(
    where: str, node: Any, template: Template, *, allow_resources: bool = True
) -> set[str]:
    """Validate every Ref/GetAtt/condition use in ``node``; return the resources it needs."""
    found = find_references(node)
    resources = template.resources
    conditions = template.section("Conditions")
    needed: set[str] = set()
    for name in found.refs:
        if name in template.parameters or name in PSEUDO_PARAMETERS:
            continue
        if allow_resources and name in resources:
            needed.add(name)
            continue
        raise errors.invalid_reference(name, where)
    for resource, attribute in found.attributes:
        if not allow_resources or resource not in resources:
            raise errors.invalid_reference(resource, where)
        kind = resources[resource].get("Type")
        allowed = known_attributes(str(kind))
        if allowed is not None and attribute not in allowed:
            raise errors.invalid_attribute(resource, attribute)
        needed.add(resource)
    for name in found.conditions:
        if name not in conditions:
            raise errors.invalid_reference(name, where)
    return needed


def _find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    for start in sorted(graph):
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            nxt = pending.pop()
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(graph.get(nxt, ()))))
    return None


def _check_defaults(template: Template) -> None:
    """A Default must meet its own parameter's constraints, whatever value a caller gives."""
    for spec in template.parameters.values():
        if spec.has_default and spec.default is not None:
            try:
                coerce_parameter(spec, spec.default)
            except ParameterError as exc:
                raise errors.validation_failed(exc.message) from None


def validate_template(template: Template) -> dict[str, set[str]]:
    """Raise the ROS error for the first problem; return resource -> resources it depends on."""
    _check_defaults(template)
    resources = template.resources
    if len(resources) > MAX_RESOURCES:
        raise errors.validation_failed(
            f"The template has {len(resources)} resources; at most {MAX_RESOURCES} are allowed"
        )
    conditions = template.section("Conditions")
    for name, expression in conditions.items():
        _check_references(f"Conditions.{name}", expression, template, allow_resources=False)
    graph: dict[str, set[str]] = {}
    for name, definition in resources.items():
        if "/" in name:
            raise errors.validation_failed(f"Resource name {name} must not contain '/'")
        if not isinstance(definition, Mapping):
            raise errors.validation_failed(f"Resource {name} must be a mapping")
        kind = definition.get("Type")
        if not isinstance(kind, str) or not kind:
            raise errors.validation_failed(f"Resource {name}: Type must be a non-empty string")
        unknown = set(definition) - RESOURCE_KEYS
        if unknown:
            raise errors.validation_failed(
                f"Resource {name}: unknown key(s) {', '.join(sorted(map(str, unknown)))}"
            )
        condition = definition.get("Condition")
        if condition is not None and condition not in conditions:
            raise errors.invalid_reference(str(condition), name)
        properties = definition.get("Properties", {})
        if properties is not None and not isinstance(properties, Mapping):
            raise errors.validation_failed(f"Resource {name}: Properties must be a mapping")
        needed = _check_references(name, properties or {}, template)
        graph[name] = needed | _depends_on(name, definition, resources)
    cycle = _find_cycle(graph)
    if cycle:
        raise errors.circular_dependency(", ".join(cycle))
    for key, output in template.outputs.items():
        if not isinstance(output, Mapping) or "Value" not in output:
            raise errors.validation_failed(f"Output {key} must have a Value")
        condition = output.get("Condition")
        if condition is not None and condition not in conditions:
            raise errors.invalid_reference(str(condition), f"Outputs.{key}")
        _check_references(f"Outputs.{key}", output["Value"], template)
    return graph
