"""ROS 2019-09-10 actions: flat RPC parameters in, ROS-shaped response dicts out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from rostray.core.templates import Template, format_value, pick_text
from rostray.sandbox import errors
from rostray.sandbox.engine import SandboxEngine, parse_template_body, parsed_off_loop
from rostray.sandbox.model import Stack
from rostray.sandbox.resources import resource_attribute
from rostray.sandbox.validation import validate_template

Params = Mapping[str, str]

REGIONS = [
    ("cn-hangzhou", "华东1（杭州）", "China (Hangzhou)"),
    ("cn-shanghai", "华东2（上海）", "China (Shanghai)"),
    ("cn-beijing", "华北2（北京）", "China (Beijing)"),
    ("cn-zhangjiakou", "华北3（张家口）", "China (Zhangjiakou)"),
    ("cn-shenzhen", "华南1（深圳）", "China (Shenzhen)"),
    ("cn-hongkong", "中国香港", "China (Hong Kong)"),
    ("ap-southeast-1", "新加坡", "Singapore"),
    ("ap-northeast-1", "日本（东京）", "Japan (Tokyo)"),
    ("us-west-1", "美国（硅谷）", "US (Silicon Valley)"),
    ("us-east-1", "美国（弗吉尼亚）", "US (Virginia)"),
    ("eu-central-1", "德国（法兰克福）", "Germany (Frankfurt)"),
    ("eu-west-1", "英国（伦敦）", "UK (London)"),
]
MAX_PAGE_SIZE = 50
MAX_TAGS = 20  # Tags.N on CreateStack and Tag.N on ListStacks: N is 1 to 20
MAX_TAG_LENGTH = 128


def boolean(params: Params, key: str, default: bool = False) -> bool:
    value = params.get(key)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise errors.invalid_parameter(key, f'"{value}" is not a boolean')
    return lowered == "true"


def integer(params: Params, key: str, default: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise errors.invalid_parameter(key, f'"{value}" is not an integer') from None


def required(params: Params, key: str) -> str:
    value = params.get(key)
    if not value:
        raise errors.missing_parameter(key)
    return value


def repeated(params: Params, prefix: str) -> list[str]:
    """``Prefix.1``, ``Prefix.2`` … in numeric order."""
    pattern = re.compile(rf"{re.escape(prefix)}\.(\d+)")
    found = [(int(m.group(1)), v) for k, v in params.items() if (m := pattern.fullmatch(k))]
    return [v for _, v in sorted(found)]


def repeated_pairs(params: Params, prefix: str, key: str, value: str) -> list[tuple[str, str]]:
    pattern = re.compile(rf"{re.escape(prefix)}\.(\d+)\.{re.escape(key)}")
    pairs = []
    for name, k in params.items():
        if m := pattern.fullmatch(name):
            pairs.append((int(m.group(1)), k, params.get(f"{prefix}.{m.group(1)}.{value}", "")))
    return [(k, v) for _, k, v in sorted(pairs)]


def tags(params: Params, prefix: str, *, need_value: bool = True) -> list[tuple[str, str | None]]:
    """``Prefix.N.Key`` / ``Prefix.N.Value`` pairs in N order, checked as ROS checks tags.

    Every N named (by its Key or its Value) needs a non-empty Key; at most 20, keys unique.
    A filter (``need_value=False``) may leave the Value out: then any value matches.
    """
    pattern = re.compile(rf"{re.escape(prefix)}\.(\d+)\.(Key|Value)")
    indexes = sorted({int(m.group(1)) for name in params if (m := pattern.fullmatch(name))})
    if len(indexes) > MAX_TAGS:
        raise errors.invalid_parameter(prefix, f"at most {MAX_TAGS} tags are allowed")
    pairs: list[tuple[str, str | None]] = []
    for n in indexes:
        key = params.get(f"{prefix}.{n}.Key", "")
        value = params.get(f"{prefix}.{n}.Value")
        if not key:
            raise errors.missing_parameter(f"{prefix}.{n}.Key")
        if len(key) > MAX_TAG_LENGTH or len(value or "") > MAX_TAG_LENGTH:
            raise errors.invalid_parameter(
                f"{prefix}.{n}", f"tag keys and values are at most {MAX_TAG_LENGTH} characters"
            )
        if any(k == key for k, _ in pairs):
            raise errors.invalid_parameter(f"{prefix}.{n}.Key", f'the tag key "{key}" is repeated')
        pairs.append((key, "" if value is None and need_value else value))
    return pairs


def given_parameters(params: Params) -> dict[str, str]:
    return dict(repeated_pairs(params, "Parameters", "ParameterKey", "ParameterValue"))


# The template sources each action accepts (one of them is required), as ROS names them.
CREATE_SOURCES = ("TemplateBody", "TemplateURL", "TemplateId", "TemplateScratchId")
VALIDATE_SOURCES = ("TemplateBody", "TemplateURL")
SUMMARY_SOURCES = ("TemplateBody", "TemplateURL", "TemplateId", "StackId")
CONSTRAINT_SOURCES = ("TemplateBody", "TemplateURL", "TemplateId")


def template_body(params: Params, sources: tuple[str, ...] | None = CREATE_SOURCES) -> str | None:
    """The TemplateBody; ``sources=None`` when the action may omit the template altogether."""
    body = params.get("TemplateBody")
    if body:
        return body
    if params.get("TemplateURL") or params.get("TemplateId") or params.get("TemplateScratchId"):
        raise errors.RosApiError(
            "NotSupported", "The sandbox accepts TemplateBody only (no TemplateURL/TemplateId)."
        )
    if sources is not None:
        raise errors.missing_one_of(sources)
    return None


def json_or_repeated(params: Params, key: str) -> list[str]:
    """A list sent as a JSON array (``Key=["a","b"]``, the SDK's Json style) or as ``Key.N``."""
    raw = params.get(key)
    if not raw:
        return repeated(params, key)
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise errors.invalid_parameter(key, "it must be a JSON array of strings")
    return value


class SandboxApi:
    """Maps each action to the engine; implements the server's ApiHandler protocol."""

    def __init__(self, engine: SandboxEngine) -> None:
        self.engine = engine
        self._actions: dict[str, Callable[[Params], dict[str, Any]]] = {
            "CreateStack": self.create_stack,
            "GetStack": self.get_stack,
            "ListStacks": self.list_stacks,
            "DeleteStack": self.delete_stack,
            "UpdateStack": self.update_stack,
            "CancelUpdateStack": self.cancel_update_stack,
            "ListStackEvents": self.list_stack_events,
            "ListStackResources": self.list_stack_resources,
            "GetStackResource": self.get_stack_resource,
            "ValidateTemplate": self.validate_template,
            "GetTemplateSummary": self.get_template_summary,
            "GetTemplateParameterConstraints": self.get_template_parameter_constraints,
            "SignalResource": self.signal_resource,
            "DescribeRegions": self.describe_regions,
        }

    @property
    def actions(self) -> list[str]:
        return sorted(self._actions)

    async def call(self, action: str, params: dict[str, str]) -> dict[str, Any]:
        handler = self._actions.get(action)
        if handler is None:
            raise errors.action_not_found()
        async with parsed_off_loop(params.get("TemplateBody")):
            return handler(params)

    async def signal_wait_condition(
        self, stack_id: str, handle: str, token: str, body: bytes
    ) -> dict[str, Any]:
        signal = self.engine.signal_by_token(stack_id, handle, token, body)
        return {"Id": signal.id, "Status": signal.status}

    # --- stacks ---------------------------------------------------------------------------

    def create_stack(self, p: Params) -> dict[str, Any]:
        stack = self.engine.create_stack(
            name=required(p, "StackName"),
            template_body=template_body(p) or "",
            parameters=given_parameters(p),
            region=p.get("RegionId") or None,
            disable_rollback=boolean(p, "DisableRollback"),
            timeout_minutes=integer(p, "TimeoutInMinutes", 60),
            notification_urls=repeated(p, "NotificationURLs"),
            tags=[{"Key": k, "Value": v or ""} for k, v in tags(p, "Tags")],
            client_token=p.get("ClientToken", ""),
            deletion_protection=p.get("DeletionProtection") or "Disabled",
        )
        return {"StackId": stack.id}

    def get_stack(self, p: Params) -> dict[str, Any]:
        stack = self.engine.get(required(p, "StackId"))
        result = self._summary(stack)
        result.update(
            {
                "Description": pick_text(stack.template.description),
                "Parameters": self.engine.parameters_for_api(stack),
                "NotificationURLs": list(stack.notification_urls),
                "DeletionProtection": stack.deletion_protection,
                "StackType": "ROS",
                "Outputs": list(stack.outputs),
                "TemplateDescription": pick_text(stack.template.description),
            }
        )
        if p.get("ShowResourceProgress", "").lower() in ("true", "enabled", "enabledifcreatestack"):
            result["ResourceProgress"] = self._progress(stack)
        return result

    def _progress(self, stack: Stack) -> dict[str, Any]:
        progress: dict[str, Any] = stack.resource_progress()
        total = progress["TotalResourceCount"] or 1
        progress["StackOperationProgress"] = round(progress["SuccessResourceCount"] / total, 2)
        progress["InProgressResourceDetails"] = [
            {"ResourceName": r.logical_id, "ResourceType": r.type}
            for r in stack.resources.values()
            if r.status.endswith("_IN_PROGRESS")
        ]
        return progress

    @staticmethod
    def _summary(stack: Stack) -> dict[str, Any]:
        item = {
            "StackId": stack.id,
            "StackName": stack.name,
            "Status": stack.status,
            "StatusReason": stack.status_reason,
            "CreateTime": stack.create_time,
            "RegionId": stack.region,
            "DisableRollback": stack.disable_rollback,
            "TimeoutInMinutes": stack.timeout_minutes,
            "Tags": list(stack.tags),
            "StackType": "ROS",
        }
        if stack.update_time:
            item["UpdateTime"] = stack.update_time
        return item

    def list_stacks(self, p: Params) -> dict[str, Any]:
        page = max(integer(p, "PageNumber", 1), 1)
        size = integer(p, "PageSize", 10)
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise errors.invalid_parameter("PageSize", f"it must be between 1 and {MAX_PAGE_SIZE}")
        ids = repeated(p, "StackIds") + ([p["StackId"]] if p.get("StackId") else [])
        stacks = self.engine.find(
            names=repeated(p, "StackName"),
            statuses=repeated(p, "Status"),
            stack_ids=ids,
            tags=tags(p, "Tag", need_value=False),
        )
        chunk = stacks[(page - 1) * size : page * size]
        return {
            "Stacks": [self._summary(s) for s in chunk],
            "PageNumber": page,
            "PageSize": size,
            "TotalCount": len(stacks),
        }

    def delete_stack(self, p: Params) -> dict[str, Any]:
        self.engine.delete_stack(
            required(p, "StackId"),
            retain_all=boolean(p, "RetainAllResources"),
            retain=repeated(p, "RetainResources"),
        )
        return {}

    def update_stack(self, p: Params) -> dict[str, Any]:
        timeout = p.get("TimeoutInMinutes")
        stack = self.engine.update_stack(
            required(p, "StackId"),
            template_body=template_body(p, None),
            parameters=given_parameters(p),
            use_previous_parameters=boolean(p, "UsePreviousParameters"),
            timeout_minutes=integer(p, "TimeoutInMinutes", 60) if timeout else None,
            client_token=p.get("ClientToken", ""),
        )
        return {"StackId": stack.id}

    def cancel_update_stack(self, p: Params) -> dict[str, Any]:
        self.engine.cancel_update(required(p, "StackId"))
        return {}

    # --- events and resources ------------------------------------------------------------

    def list_stack_events(self, p: Params) -> dict[str, Any]:
        stack = self.engine.get(required(p, "StackId"))
        page = max(integer(p, "PageNumber", 1), 1)
        size = integer(p, "PageSize", 10)
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise errors.invalid_parameter("PageSize", f"it must be between 1 and {MAX_PAGE_SIZE}")
        events = sorted(stack.events, key=lambda e: e.sequence, reverse=True)
        for key, attr in (
            ("LogicalResourceId", "logical_id"),
            ("ResourceType", "resource_type"),
            ("Status", "status"),
        ):
            wanted = repeated(p, key)
            if wanted:
                events = [e for e in events if getattr(e, attr) in wanted]
        chunk = events[(page - 1) * size : page * size]
        return {
            "Events": [e.to_api(stack) for e in chunk],
            "PageNumber": page,
            "PageSize": size,
            "TotalCount": len(events),
        }

    def list_stack_resources(self, p: Params) -> dict[str, Any]:
        stack = self.engine.get(required(p, "StackId"))
        return {"Resources": [r.to_api(stack) for r in stack.resources.values()]}

    def get_stack_resource(self, p: Params) -> dict[str, Any]:
        stack = self.engine.get(required(p, "StackId"))
        name = required(p, "LogicalResourceId")
        res = stack.resources.get(name)
        if res is None:
            raise errors.resource_not_found(stack.name, name)
        item = res.to_api(stack)
        item["Description"] = res.description
        item["Metadata"] = res.metadata
        if boolean(p, "ShowResourceAttributes") and res.physical_id:
            wanted = repeated(p, "ResourceAttributes") or sorted(res.attributes)
            item["ResourceAttributes"] = [
                {"ResourceAttributeKey": k, "ResourceAttributeValue": resource_attribute(res, k)}
                for k in wanted
            ]
        return item

    def signal_resource(self, p: Params) -> dict[str, Any]:
        stack = self.engine.get(required(p, "StackId"))
        body = {
            "status": required(p, "Status"),
            "UniqueId": required(p, "UniqueId"),
            "reason": p.get("Reason", ""),
            "data": p.get("Data"),
        }
        if len(body["UniqueId"]) > 64:
            raise errors.invalid_parameter("UniqueId", "it must be 1-64 characters")
        self.engine.signal(stack, required(p, "LogicalResourceId"), body)
        return {}

    # --- templates ------------------------------------------------------------------------

    def _template(self, p: Params, sources: tuple[str, ...]) -> Template:
        template = parse_template_body(template_body(p, sources) or "")
        validate_template(template)
        return template

    def validate_template(self, p: Params) -> dict[str, Any]:
        template = self._template(p, VALIDATE_SOURCES)
        parameters = []
        for key, spec in template.parameters.items():
            item: dict[str, Any] = {
                "ParameterKey": key,
                "Type": spec.type,
                "Label": pick_text(spec.label) or key,
                "NoEcho": "true" if spec.no_echo else "false",
            }
            if spec.description is not None:
                item["Description"] = pick_text(spec.description)
            if spec.has_default and spec.default is not None:
                item["DefaultValue"] = format_value(spec.default, spec.type)
            if spec.allowed_values is not None:
                item["AllowedValues"] = [format_value(v, "String") for v in spec.allowed_values]
            parameters.append(item)
        outputs = [
            {
                "OutputKey": k,
                "Description": pick_text(o.get("Description")),
                "Label": pick_text(o.get("Label")) or k,
            }
            for k, o in template.outputs.items()
        ]
        resource_types = sorted({str(r["Type"]) for r in template.resources.values()})
        return {
            "Description": pick_text(template.description),
            "Parameters": parameters,
            "Outputs": outputs,
            "Resources": [
                {"LogicalResourceIdPattern": n, "ResourcePath": n, "ResourceType": str(r["Type"])}
                for n, r in template.resources.items()
            ],
            "ResourceTypes": {"Resources": resource_types, "DataSources": []},
        }

    def get_template_summary(self, p: Params) -> dict[str, Any]:
        if p.get("StackId") and not p.get("TemplateBody"):
            stack = self.engine.get(p["StackId"])
            template = stack.template
        else:
            template = self._template(p, SUMMARY_SOURCES)
        parameters = []
        for key, definition in (template.document.get("Parameters") or {}).items():
            item = {"ParameterKey": key, **definition}
            if definition.get("Type") == "Boolean" and "AllowedValues" not in definition:
                item["AllowedValues"] = ["True", "true", "False", "false"]
            parameters.append(item)
        return {
            "Description": template.description or "",
            "Metadata": template.document.get("Metadata") or {},
            "Parameters": parameters,
            "ResourceTypes": sorted({str(r["Type"]) for r in template.resources.values()}),
            "Version": "2015-09-01",
        }

    def get_template_parameter_constraints(self, p: Params) -> dict[str, Any]:
        template = self._template(p, CONSTRAINT_SOURCES)
        wanted = json_or_repeated(p, "ParametersKeyFilter")
        return {
            "ParameterConstraints": [
                {
                    "ParameterKey": key,
                    "Type": spec.type,
                    "AllowedValues": [format_value(v, "String") for v in spec.allowed_values or ()],
                    "Behavior": "NoLimit",
                    "BehaviorReason": "The sandbox does not query cloud inventories.",
                }
                for key, spec in template.parameters.items()
                if not wanted or key in wanted
            ]
        }

    def describe_regions(self, p: Params) -> dict[str, Any]:
        language = (p.get("AcceptLanguage") or "zh-CN").lower()
        return {
            "Regions": [
                {
                    "RegionId": rid,
                    "RegionEndpoint": "ros.aliyuncs.com",
                    "LocalName": zh if language.startswith("zh") else en,
                }
                for rid, zh, en in REGIONS
            ]
        }
