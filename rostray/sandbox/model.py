"""Sandbox state: stacks, resources and events, shaped so API responses are a direct mapping."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rostray.core.templates import Template

STACK_RESOURCE_TYPE = "ALIYUN::ROS::Stack"
STATUS_SUFFIXES = ("_IN_PROGRESS", "_COMPLETE", "_FAILED")


def utc_now() -> str:
    """ROS time format: UTC, second resolution, no zone suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def new_stack_id() -> str:
    return str(uuid.uuid4())


_event_sequence = itertools.count(1)


def next_event_sequence() -> int:
    return next(_event_sequence)


def bump_event_sequence(seen: int) -> None:
    """After loading saved events, keep new sequence numbers above the old ones."""
    global _event_sequence
    current = next(_event_sequence)
    _event_sequence = itertools.count(max(current, seen + 1))


@dataclass
class Event:
    sequence: int
    event_id: str
    logical_id: str
    physical_id: str
    resource_type: str
    status: str
    status_reason: str
    create_time: str

    def to_api(self, stack: Stack) -> dict[str, Any]:
        item = {
            "EventId": self.event_id,
            "StackId": stack.id,
            "StackName": stack.name,
            "LogicalResourceId": self.logical_id,
            "ResourceType": self.resource_type,
            "Status": self.status,
            "StatusReason": self.status_reason,
            "CreateTime": self.create_time,
        }
        if self.physical_id:
            item["PhysicalResourceId"] = self.physical_id
        return item


@dataclass
class Resource:
    logical_id: str
    type: str
    status: str = "INIT_COMPLETE"
    status_reason: str = ""
    physical_id: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)  # as evaluated at create/update
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    create_time: str = field(default_factory=utc_now)
    update_time: str = ""

    def to_api(self, stack: Stack) -> dict[str, Any]:
        item = {
            "LogicalResourceId": self.logical_id,
            "PhysicalResourceId": self.physical_id,
            "ResourceType": self.type,
            "Status": self.status,
            "StatusReason": self.status_reason,
            "StackId": stack.id,
            "StackName": stack.name,
            "CreateTime": self.create_time,
            "UpdateTime": self.update_time or self.create_time,
        }
        if not self.physical_id:
            del item["PhysicalResourceId"]
        return item


@dataclass
class WaitSignal:
    id: str
    status: str
    reason: str
    data: Any


@dataclass
class Stack:
    id: str
    name: str
    region: str
    template_body: str
    template: Template
    given_parameters: dict[str, str]
    parameters: dict[str, Any]
    disable_rollback: bool = False
    timeout_minutes: int = 60
    notification_urls: list[str] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    client_token: str = ""
    deletion_protection: str = "Disabled"
    status: str = "CREATE_IN_PROGRESS"
    status_reason: str = "Stack CREATE started"
    create_time: str = field(default_factory=utc_now)
    update_time: str = ""
    resources: dict[str, Resource] = field(default_factory=dict)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    conditions: dict[str, bool] = field(default_factory=dict)
    wait_tokens: dict[str, str] = field(default_factory=dict)  # handle logical id -> token
    wait_signals: dict[str, list[WaitSignal]] = field(default_factory=dict)
    deleted: bool = False

    @property
    def action(self) -> str:
        """CREATE, UPDATE, CREATE_ROLLBACK…: the status without its IN_PROGRESS/COMPLETE/FAILED."""
        for suffix in STATUS_SUFFIXES:
            if self.status.endswith(suffix):
                return self.status.removesuffix(suffix)
        return self.status

    @property
    def in_progress(self) -> bool:
        return self.status.endswith("_IN_PROGRESS")

    def add_event(
        self,
        status: str,
        reason: str,
        *,
        resource: Resource | None = None,
    ) -> Event:
        event = Event(
            sequence=next_event_sequence(),
            event_id=str(uuid.uuid4()),
            logical_id=resource.logical_id if resource else self.name,
            physical_id=(resource.physical_id if resource else self.id),
            resource_type=resource.type if resource else STACK_RESOURCE_TYPE,
            status=status,
            status_reason=reason,
            create_time=utc_now(),
        )
        self.events.append(event)
        return event

    def set_status(self, status: str, reason: str) -> None:
        self.status = status
        self.status_reason = reason
        if not status.startswith("CREATE_"):
            self.update_time = utc_now()
        self.add_event(status, reason)

    def resource_progress(self) -> dict[str, int]:
        total = len(self.resources)
        done = sum(1 for r in self.resources.values() if r.status.endswith("_COMPLETE"))
        failed = sum(1 for r in self.resources.values() if r.status.endswith("_FAILED"))
        running = sum(1 for r in self.resources.values() if r.status.endswith("_IN_PROGRESS"))
        return {
            "TotalResourceCount": total,
            "SuccessResourceCount": done,
            "FailedResourceCount": failed,
            "InProgressResourceCount": running,
            "PendingResourceCount": max(total - done - failed - running, 0),
        }
