"""The sandbox's stack state machine: create, update, delete, rollback, timeouts, signals.

Validation happens inside the API call (so errors come back on CreateStack, as with ROS);
resource work runs afterwards in tasks, resources in parallel as their dependencies allow.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from rostray.core.templates import (
    MASK,
    Template,
    TemplateError,
    format_value,
    load_template,
    pick_text,
    resolve_parameters,
)
from rostray.sandbox import errors
from rostray.sandbox.errors import RosApiError
from rostray.sandbox.functions import NO_VALUE, evaluate, evaluate_condition
from rostray.sandbox.model import Resource, Stack, WaitSignal, new_stack_id, utc_now
from rostray.sandbox.notify import NotificationSender, notification_body
from rostray.sandbox.resources import handler_for, resource_attribute
from rostray.sandbox.validation import PSEUDO_PARAMETERS, validate_template

log = logging.getLogger(__name__)

STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}")
MAX_NOTIFICATION_URLS = 5
MAX_URL_BYTES = 1024
TIMEOUT_RANGE = (10, 1440)
TERMINAL_NOTIFY = re.compile(r".*_(COMPLETE|FAILED)$")


@dataclass
class SandboxOptions:
    region: str = "cn-hangzhou"
    account_id: str = "1000000000000000"
    time_scale: float = 1.0  # real seconds per template second; tests use small values
    simulated_delay: float = 0.2  # real seconds a simulated resource takes
    notification_timeout: float = 5.0


class ResourceFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def template_error(exc: TemplateError) -> RosApiError:
    return RosApiError(exc.code, exc.message if exc.message.endswith(".") else exc.message + ".")


# Bodies at least this big are parsed on a worker thread before the action runs: a 512 KB
# YAML template takes a few hundred ms to compose, which the loop (shared with rostray's
# receiver in the embedded sandbox) must not spend in one go.
OFF_LOOP_BYTES = 16_384
_preparsed: ContextVar[tuple[str, Template | RosApiError] | None] = ContextVar(
    "_preparsed", default=None
)


def parse_template_body(body: str) -> Template:
    ready = _preparsed.get()
    if ready is not None and ready[0] is body:
        _preparsed.set(None)  # once: a second parse in the same action gets a fresh Template
        if isinstance(ready[1], RosApiError):
            raise ready[1]
        return ready[1]
    try:
        return load_template(body)
    except TemplateError as exc:
        raise template_error(exc) from None


def _parse_or_error(body: str) -> Template | RosApiError:
    try:
        return parse_template_body(body)
    except RosApiError as exc:
        return exc


@contextlib.asynccontextmanager
async def parsed_off_loop(body: str | None) -> AsyncIterator[None]:
    """Within the block, ``parse_template_body(body)`` returns what a worker thread parsed
    (for big bodies only; small ones parse faster than the hand-off)."""
    if not body or len(body) < OFF_LOOP_BYTES:
        yield
        return
    token = _preparsed.set((body, await asyncio.to_thread(_parse_or_error, body)))
    try:
        yield
    finally:
        _preparsed.reset(token)


@dataclass
class _Context:
    """Evaluation context for functions: one stack, its parameters and resources."""

    engine: SandboxEngine
    stack: Stack
    template: Template
    parameters: Mapping[str, Any]
    _conditions: dict[str, bool] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)

    @property
    def region(self) -> str:
        return self.stack.region

    @property
    def mappings(self) -> Mapping[str, Any]:
        return self.template.section("Mappings")

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        pseudo = {
            "ALIYUN::StackName": self.stack.name,
            "ALIYUN::StackId": self.stack.id,
            "ALIYUN::Region": self.stack.region,
            "ALIYUN::AccountId": self.engine.options.account_id,
            "ALIYUN::TenantId": self.engine.options.account_id,
            "ALIYUN::ResourceGroupId": "",
        }
        if name in pseudo:
            return pseudo[name]
        resource = self.stack.resources.get(name)
        if resource is not None:
            return resource.physical_id
        raise errors.invalid_reference(name, "template")

    def get_att(self, resource: str, attribute: str) -> Any:
        res = self.stack.resources.get(resource)
        if res is None:
            raise errors.invalid_reference(resource, "Fn::GetAtt")
        return resource_attribute(res, attribute)

    def condition(self, name: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        definitions = self.template.section("Conditions")
        if name not in definitions:
            raise errors.invalid_reference(name, "Conditions")
        if name in self._evaluating:
            raise errors.circular_dependency(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            value = bool(evaluate_condition(definitions[name], self))
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def all_conditions(self) -> dict[str, bool]:
        return {name: self.condition(name) for name in self.template.section("Conditions")}


def _failure_text(exc: BaseException) -> str:
    if isinstance(exc, RosApiError):
        return exc.message if exc.message.startswith(exc.code) else f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


class SandboxEngine:
    def __init__(
        self,
        options: SandboxOptions | None = None,
        *,
        on_change: Callable[[Stack], None] | None = None,
    ) -> None:
        self.options = options or SandboxOptions()
        self.stacks: dict[str, Stack] = {}
        # Set by the Sandbox once its server knows its port.
        self.url_builder: Callable[[str, str, str, str], str] = _no_server_url
        self.sender = NotificationSender(timeout=self.options.notification_timeout)
        self._client_tokens: dict[tuple[str, str], str] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._signal_events: dict[tuple[str, str], asyncio.Event] = {}
        self._inner: dict[str, asyncio.Future[None]] = {}  # the cancellable part of a flow
        self._cancel_requested: set[str] = set()
        self._on_change = on_change

    # --- runtime services for resource handlers --------------------------------------------

    def seconds(self, value: float) -> float:
        return max(float(value), 0.0) * self.options.time_scale

    @property
    def simulated_delay(self) -> float:
        return self.options.simulated_delay

    def wait_condition_url(self, stack: Stack, handle: str) -> str:
        token = stack.wait_tokens.setdefault(handle, secrets.token_hex(16))
        return self.url_builder(stack.name, stack.id, handle, token)

    async def wait_for_signals(self, stack: Stack, handle: str, count: int) -> list[WaitSignal]:
        event = self._signal_events.setdefault((stack.id, handle), asyncio.Event())
        while True:
            signals = stack.wait_signals.get(handle, [])
            successes = [s for s in signals if s.status == "SUCCESS"]
            if any(s.status == "FAILURE" for s in signals) or len(successes) >= count:
                return list(signals)
            event.clear()
            await event.wait()

    # --- lookups ------------------------------------------------------------------------------

    def get(self, stack_id: str) -> Stack:
        stack = self.stacks.get(stack_id)
        if stack is None or stack.deleted:
            raise errors.stack_not_found(stack_id)
        return stack

    def find(
        self,
        *,
        names: list[str] | None = None,
        statuses: list[str] | None = None,
        stack_ids: list[str] | None = None,
        tags: list[tuple[str, str | None]] | None = None,
    ) -> list[Stack]:
        """ListStacks' filters; every tag given must be on the stack (a None value: any)."""
        stacks = [s for s in self.stacks.values() if not s.deleted]
        if names:
            stacks = [s for s in stacks if any(fnmatch.fnmatchcase(s.name, n) for n in names)]
        if statuses:
            stacks = [s for s in stacks if s.status in statuses]
        if stack_ids:
            stacks = [s for s in stacks if s.id in stack_ids]
        for key, value in tags or []:
            stacks = [s for s in stacks if _has_tag(s, key, value)]
        return sorted(stacks, key=lambda s: (s.create_time, s.id), reverse=True)

    # --- create -------------------------------------------------------------------------------

    def create_stack(
        self,
        *,
        name: str,
        template_body: str,
        parameters: Mapping[str, str],
        region: str | None = None,
        disable_rollback: bool = False,
        timeout_minutes: int = 60,
        notification_urls: list[str] | None = None,
        tags: list[dict[str, str]] | None = None,
        client_token: str = "",
        deletion_protection: str = "Disabled",
    ) -> Stack:
        if client_token and ("create", client_token) in self._client_tokens:
            return self.stacks[self._client_tokens[("create", client_token)]]
        if not STACK_NAME.fullmatch(name or ""):
            raise errors.invalid_parameter(
                "StackName",
                "it must be 1-255 characters of letters, digits, '-' and '_', "
                "starting with a letter or digit",
            )
        if any(s.name == name for s in self.stacks.values() if not s.deleted):
            raise errors.stack_exists(name)
        check_timeout(timeout_minutes)
        urls = check_notification_urls(notification_urls or [])
        template = parse_template_body(template_body)
        values = _resolve(template, parameters)
        validate_template(template)
        stack = Stack(
            id=new_stack_id(),
            name=name,
            region=region or self.options.region,
            template_body=template_body,
            template=template,
            given_parameters=dict(parameters),
            parameters=values,
            disable_rollback=disable_rollback,
            timeout_minutes=timeout_minutes,
            notification_urls=urls,
            tags=list(tags or []),
            client_token=client_token,
            deletion_protection=deletion_protection,
        )
        context = _Context(self, stack, template, values)
        stack.conditions = _conditions_or_error(context)
        stack.resources = {
            n: Resource(
                n,
                str(d["Type"]),
                description=str(d.get("Description", "")),
                metadata=dict(d.get("Metadata") or {}),
            )
            for n, d in template.resources.items()
        }
        stack.add_event("CREATE_IN_PROGRESS", "Stack CREATE started")
        self.stacks[stack.id] = stack
        if client_token:
            self._client_tokens[("create", client_token)] = stack.id
        self._changed(stack)
        self._start(stack, self._create_flow(stack))
        return stack

    async def _create_flow(self, stack: Stack) -> None:
        failure = await self._run_with_timeout(stack, "CREATE", self._create_all(stack))
        if failure is None:
            self._finish(stack, "CREATE_COMPLETE", "Stack CREATE completed successfully")
            return
        if stack.disable_rollback:
            self._finish(stack, "CREATE_FAILED", failure)
            return
        stack.set_status("CREATE_ROLLBACK_IN_PROGRESS", failure)
        self._changed(stack)
        rollback_failure = await self._delete_resources(stack, "rollback")
        if rollback_failure:
            self._finish(stack, "CREATE_ROLLBACK_FAILED", rollback_failure)
        else:
            self._finish(stack, "CREATE_ROLLBACK_COMPLETE", "Stack ROLLBACK completed successfully")

    async def _create_all(self, stack: Stack) -> None:
        graph = validate_template(stack.template)
        context = _Context(self, stack, stack.template, stack.parameters)
        context._conditions.update(stack.conditions)

        async def create_one(name: str) -> None:
            await self._create_resource(stack, context, name)

        await self._run_graph(stack, graph, create_one, "CREATE")

    async def _create_resource(self, stack: Stack, context: _Context, name: str) -> None:
        definition = stack.template.resources[name]
        condition = definition.get("Condition")
        if condition is not None and not context.condition(str(condition)):
            stack.resources.pop(name, None)
            return
        res = stack.resources.setdefault(name, Resource(name, str(definition["Type"])))
        res.status, res.status_reason = "CREATE_IN_PROGRESS", "state changed"
        stack.add_event(res.status, res.status_reason, resource=res)
        self._changed(stack)
        properties = _evaluate_properties(definition, context)
        await handler_for(res.type).create(self, stack, res, properties)
        res.properties = properties
        res.status, res.status_reason, res.update_time = "CREATE_COMPLETE", "state changed", ""
        stack.add_event(res.status, res.status_reason, resource=res)
        self._changed(stack)

    # --- update -------------------------------------------------------------------------------

    def update_stack(
        self,
        stack_id: str,
        *,
        template_body: str | None,
        parameters: Mapping[str, str],
        use_previous_parameters: bool = False,
        timeout_minutes: int | None = None,
        client_token: str = "",
    ) -> Stack:
        stack = self.get(stack_id)
        if client_token and ("update", client_token) in self._client_tokens:
            return stack
        if stack.in_progress:
            raise errors.action_in_progress(stack.name, stack.action)
        if stack.status.startswith(("CREATE_FAILED", "CREATE_ROLLBACK", "DELETE_")):
            raise errors.RosApiError(
                "StackValidationFailed",
                f"Stack {stack.name} in status {stack.status} can not be updated.",
            )
        if timeout_minutes is not None:
            check_timeout(timeout_minutes)
        body = template_body if template_body is not None else stack.template_body
        template = parse_template_body(body)
        # Previous values carry over only for parameters the new template still has; a
        # parameter given explicitly must exist (UnknownUserParameter otherwise).
        previous_values = stack.given_parameters if use_previous_parameters else {}
        given = {k: v for k, v in previous_values.items() if k in template.parameters}
        given.update(parameters)
        values = _resolve(template, given)
        validate_template(template)
        if body == stack.template_body and values == stack.parameters:
            raise errors.not_supported(
                f"Update the completely same stack ({stack.name}) is not supported"
            )
        if client_token:
            self._client_tokens[("update", client_token)] = stack.id
        previous = (stack.template_body, stack.template, stack.given_parameters, stack.parameters)
        stack.template_body, stack.template = body, template
        stack.given_parameters, stack.parameters = given, values
        if timeout_minutes is not None:
            stack.timeout_minutes = timeout_minutes
        stack.set_status("UPDATE_IN_PROGRESS", "Stack UPDATE started")
        self._changed(stack)
        self._start(stack, self._update_flow(stack, previous))
        return stack

    async def _update_flow(self, stack: Stack, previous: tuple[Any, ...]) -> None:
        old_resources = {n: r.type for n, r in stack.resources.items()}
        failure = await self._run_with_timeout(stack, "UPDATE", self._update_all(stack))
        if failure is None:
            self._finish(stack, "UPDATE_COMPLETE", "Stack successfully updated")
            return
        if stack.disable_rollback:
            self._finish(stack, "UPDATE_FAILED", failure)
            return
        stack.set_status("ROLLBACK_IN_PROGRESS", failure)
        self._changed(stack)
        stack.template_body, stack.template, stack.given_parameters, stack.parameters = previous
        added = [n for n in stack.resources if n not in old_resources]
        rollback_failure = await self._delete_resources(stack, "rollback", only=added)
        for name in added:
            stack.resources.pop(name, None)
        for res in stack.resources.values():
            if res.status.endswith(("_FAILED", "_IN_PROGRESS")):
                res.status, res.status_reason = "UPDATE_COMPLETE", "rolled back"
                stack.add_event(res.status, res.status_reason, resource=res)
                self._changed(stack)
        if rollback_failure:
            self._finish(stack, "ROLLBACK_FAILED", rollback_failure)
        else:
            self._finish(stack, "ROLLBACK_COMPLETE", "Stack ROLLBACK completed successfully")

    async def _update_all(self, stack: Stack) -> None:
        graph = validate_template(stack.template)
        context = _Context(self, stack, stack.template, stack.parameters)
        stack.conditions = context.all_conditions()
        removed = [n for n in stack.resources if n not in stack.template.resources]

        async def update_one(name: str) -> None:
            definition = stack.template.resources[name]
            existing = stack.resources.get(name)
            if existing is not None and existing.type != str(definition["Type"]):
                await self._delete_resources(stack, "replace", only=[name], raise_on_fail=True)
                stack.resources.pop(name, None)
                existing = None
            if existing is None or existing.status == "INIT_COMPLETE":
                await self._create_resource(stack, context, name)
                return
            condition = definition.get("Condition")
            if condition is not None and not context.condition(str(condition)):
                await self._delete_resources(stack, "condition", only=[name], raise_on_fail=True)
                stack.resources.pop(name, None)
                return
            properties = _evaluate_properties(definition, context)
            if properties == existing.properties:
                return
            existing.status, existing.status_reason = "UPDATE_IN_PROGRESS", "state changed"
            stack.add_event(existing.status, existing.status_reason, resource=existing)
            self._changed(stack)
            await handler_for(existing.type).update(
                self, stack, existing, properties, existing.properties
            )
            existing.properties = properties
            existing.status, existing.status_reason = "UPDATE_COMPLETE", "state changed"
            existing.update_time = utc_now()
            stack.add_event(existing.status, existing.status_reason, resource=existing)
            self._changed(stack)

        await self._run_graph(stack, graph, update_one, "UPDATE")
        if removed:
            await self._delete_resources(stack, "update", only=removed, raise_on_fail=True)
            for name in removed:
                stack.resources.pop(name, None)

    def cancel_update(self, stack_id: str) -> None:
        stack = self.get(stack_id)
        if stack.status != "UPDATE_IN_PROGRESS":
            raise errors.RosApiError(
                "CancelUpdateStackNotSupported",
                f"Stack {stack.name} in status {stack.status} can not be cancelled.",
            )
        if inner := self._inner.get(stack.id):
            self._cancel_requested.add(stack.id)
            inner.cancel()

    # --- delete -------------------------------------------------------------------------------

    def delete_stack(
        self, stack_id: str, *, retain_all: bool = False, retain: list[str] | None = None
    ) -> None:
        stack = self.get(stack_id)
        if stack.status == "DELETE_IN_PROGRESS":
            return
        if stack.deletion_protection == "Enabled":
            raise errors.RosApiError(
                "DeletionProtectionEnabled",
                f"Stack {stack.name} can not be deleted while deletion protection is enabled.",
            )
        running = self._tasks.pop(stack.id, None)
        retained = set(stack.resources) if retain_all else set(retain or [])
        stack.set_status("DELETE_IN_PROGRESS", "Stack DELETE started")
        self._changed(stack)
        self._start(stack, self._delete_flow(stack, running, retained))

    async def _delete_flow(
        self, stack: Stack, running: asyncio.Task[None] | None, retained: set[str]
    ) -> None:
        if running is not None and not running.done():
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await running
        failure = await self._delete_resources(stack, "delete", retained=retained)
        if failure:
            self._finish(stack, "DELETE_FAILED", failure)
            return
        self._finish(stack, "DELETE_COMPLETE", "Stack DELETE completed successfully")
        stack.deleted = True
        self._changed(stack)

    async def _delete_resources(
        self,
        stack: Stack,
        why: str,
        *,
        only: list[str] | None = None,
        retained: set[str] | None = None,
        raise_on_fail: bool = False,
    ) -> str | None:
        names = [
            n
            for n in (only if only is not None else list(stack.resources))
            if n in stack.resources and stack.resources[n].status != "INIT_COMPLETE"
        ]
        graph = _reverse_graph(stack, names)
        retained = retained or set()

        async def delete_one(name: str) -> None:
            res = stack.resources[name]
            res.status, res.status_reason = "DELETE_IN_PROGRESS", "state changed"
            stack.add_event(res.status, res.status_reason, resource=res)
            self._changed(stack)
            policy = stack.template.resources.get(name, {}).get("DeletionPolicy")
            if name not in retained and policy != "Retain":
                await handler_for(res.type).delete(self, stack, res)
            res.status, res.status_reason = "DELETE_COMPLETE", "state changed"
            stack.add_event(res.status, res.status_reason, resource=res)
            self._changed(stack)

        try:
            await self._run_graph(stack, graph, delete_one, "DELETE")
        except ResourceFailed as exc:
            if raise_on_fail:
                raise
            return exc.reason
        return None

    # --- signals ------------------------------------------------------------------------------

    def signal(self, stack: Stack, logical_id: str, body: Mapping[str, Any]) -> WaitSignal:
        handle = self._handle_for(stack, logical_id)
        signals = stack.wait_signals.setdefault(handle, [])
        status = str(body.get("status") or body.get("Status") or "SUCCESS").upper()
        if status not in ("SUCCESS", "FAILURE", "WARNING"):
            raise errors.invalid_parameter("Status", "it must be SUCCESS, FAILURE or WARNING")
        unique_id = str(body.get("id") or body.get("UniqueId") or len(signals) + 1)
        data = body.get("data", body.get("Data"))  # official UserData samples send "Data"
        signal = WaitSignal(unique_id, status, str(body.get("reason") or ""), data)
        signals[:] = [s for s in signals if s.id != unique_id] + [signal]
        if event := self._signal_events.get((stack.id, handle)):
            event.set()
        self._changed(stack)
        return signal

    def signal_by_token(self, stack_id: str, handle: str, token: str, body: bytes) -> WaitSignal:
        stack = self.get(stack_id)
        expected = stack.wait_tokens.get(handle)
        if not expected or not secrets.compare_digest(expected, token):
            raise errors.RosApiError(
                "InvalidSignature", "The wait condition signature is invalid.", 403
            )
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise errors.RosApiError(
                "InvalidParameter", "The signal body is not valid JSON."
            ) from None
        if not isinstance(data, dict):
            raise errors.RosApiError("InvalidParameter", "The signal body must be a JSON object.")
        return self.signal(stack, handle, data)

    def _handle_for(self, stack: Stack, logical_id: str) -> str:
        res = stack.resources.get(logical_id)
        if res is None:
            raise errors.resource_not_found(stack.name, logical_id)
        if res.type == "ALIYUN::ROS::WaitConditionHandle":
            return logical_id
        if res.type == "ALIYUN::ROS::WaitCondition":
            handle = stack.template.resources[logical_id].get("Properties", {}).get("Handle")
            if isinstance(handle, Mapping) and isinstance(handle.get("Ref"), str):
                return handle["Ref"]
        raise errors.RosApiError(
            "NotSupported", f"Resource {logical_id} of type {res.type} does not accept signals."
        )

    # --- plumbing -----------------------------------------------------------------------------

    def _start(self, stack: Stack, flow: Awaitable[None]) -> None:
        task = asyncio.get_running_loop().create_task(self._guard(stack, flow))
        self._tasks[stack.id] = task

    async def _guard(self, stack: Stack, flow: Awaitable[None]) -> None:
        try:
            await flow
        except asyncio.CancelledError:
            raise
        except Exception:  # the sandbox must never leave a stack stuck in progress
            log.exception("sandbox flow for stack %s crashed", stack.name)
            if stack.in_progress:
                self._finish(stack, f"{stack.action}_FAILED", "Internal sandbox error")

    async def _run_with_timeout(
        self, stack: Stack, action: str, work: Awaitable[None]
    ) -> str | None:
        inner = asyncio.ensure_future(work)
        self._inner[stack.id] = inner
        try:
            await asyncio.wait_for(inner, self.seconds(stack.timeout_minutes * 60))
        except TimeoutError:
            return f"Stack {action} timed out"
        except ResourceFailed as exc:
            return exc.reason
        except asyncio.CancelledError:
            if stack.id in self._cancel_requested:
                self._cancel_requested.discard(stack.id)
                return f"Stack {action} cancelled"
            raise
        except RosApiError as exc:
            return f"Resource {action} failed: {_failure_text(exc)}"
        finally:
            self._inner.pop(stack.id, None)
        return None

    async def _run_graph(
        self,
        stack: Stack,
        graph: Mapping[str, set[str]],
        work: Callable[[str], Awaitable[None]],
        action: str,
    ) -> None:
        """Run ``work`` per node once its dependencies are done; on failure cancel the rest."""
        pending = {n: set(d) & set(graph) for n, d in graph.items()}
        done: set[str] = set()
        running: dict[asyncio.Task[None], str] = {}
        try:
            while pending or running:
                for name in [n for n, deps in pending.items() if deps <= done]:
                    del pending[name]
                    running[asyncio.ensure_future(work(name))] = name
                if not running:
                    raise ResourceFailed(f"Stack {action} stuck: unresolved dependencies")
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    name = running.pop(task)
                    exc = task.exception()
                    if exc is not None:
                        self._fail_resource(stack, name, action, exc)
                        raise ResourceFailed(
                            f"Resource {action} failed: {_failure_text(exc)}"
                        ) from exc
                    done.add(name)
        finally:
            for task, name in running.items():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
                self._fail_resource(stack, name, action, None)

    def _fail_resource(
        self, stack: Stack, name: str, action: str, exc: BaseException | None
    ) -> None:
        res = stack.resources.get(name)
        if res is None or not res.status.endswith("_IN_PROGRESS"):
            return
        reason = _failure_text(exc) if exc else f"Resource {action} cancelled"
        res.status, res.status_reason = f"{res.status.rsplit('_', 2)[0]}_FAILED", reason
        stack.add_event(res.status, reason, resource=res)
        self._changed(stack)

    def _finish(self, stack: Stack, status: str, reason: str) -> None:
        if status.endswith("_COMPLETE") and status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            stack.outputs = self._outputs(stack)
        stack.set_status(status, reason)
        self._changed(stack)
        if TERMINAL_NOTIFY.match(status):
            self.sender.send(
                stack.id,
                stack.notification_urls,
                notification_body(stack.id, stack.name, status, stack.outputs),
            )

    def _outputs(self, stack: Stack) -> list[dict[str, Any]]:
        context = _Context(self, stack, stack.template, stack.parameters)
        context._conditions.update(stack.conditions)
        result = []
        for key, output in stack.template.outputs.items():
            condition = output.get("Condition")
            if condition is not None and not context.condition(str(condition)):
                continue
            item: dict[str, Any] = {"OutputKey": key}
            try:
                value = evaluate(output["Value"], context)
                item["OutputValue"] = None if value is NO_VALUE else value
            except RosApiError as exc:
                item["OutputValue"] = None
                item["ErrorMessage"] = _failure_text(exc)
            # Descriptions and Labels may be {en, zh-cn} dicts; the API carries text.
            if output.get("Description") is not None:
                item["Description"] = pick_text(output["Description"])
            if output.get("Label") is not None:
                item["Label"] = pick_text(output["Label"])
            result.append(item)
        return result

    def _changed(self, stack: Stack) -> None:
        """Persist (``--state``) after every stack or resource step, so a killed sandbox
        restarts with each resource's last status and every event."""
        if self._on_change is not None:
            try:
                self._on_change(stack)
            except Exception:
                log.exception("saving sandbox state failed")

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.sender.close()

    async def settle(self) -> None:
        """Wait until no stack operation runs and every notification was attempted."""
        while any(not t.done() for t in self._tasks.values()):
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        await self.sender.wait_idle()

    def parameters_for_api(self, stack: Stack) -> list[dict[str, str]]:
        """GetStack's Parameters: the template's (NoEcho masked) plus the pseudo parameters."""
        items = []
        for key, spec in stack.template.parameters.items():
            value = stack.parameters.get(key)
            shown = (
                MASK if spec.no_echo else ("" if value is None else format_value(value, spec.type))
            )
            items.append({"ParameterKey": key, "ParameterValue": shown})
        pseudo = {
            "ALIYUN::AccountId": self.options.account_id,
            "ALIYUN::NoValue": "None",
            "ALIYUN::Region": stack.region,
            "ALIYUN::StackId": stack.id,
            "ALIYUN::StackName": stack.name,
            "ALIYUN::TenantId": self.options.account_id,
        }
        items.extend(
            {"ParameterKey": k, "ParameterValue": v}
            for k, v in pseudo.items()
            if k in PSEUDO_PARAMETERS
        )
        return items


def _no_server_url(stack_name: str, stack_id: str, handle: str, token: str) -> str:
    raise errors.RosApiError("InternalError", "The sandbox server is not running.", 500)


def check_timeout(minutes: int) -> None:
    low, high = TIMEOUT_RANGE
    if not low <= minutes <= high:
        raise errors.invalid_parameter(
            "TimeoutInMinutes", f"it must be between {low} and {high}, not {minutes}"
        )


def check_notification_urls(urls: list[str]) -> list[str]:
    if len(urls) > MAX_NOTIFICATION_URLS:
        raise errors.invalid_parameter(
            "NotificationURLs", f"at most {MAX_NOTIFICATION_URLS} URLs are allowed, got {len(urls)}"
        )
    for url in urls:
        if len(url.encode()) > MAX_URL_BYTES:
            raise errors.invalid_parameter(
                "NotificationURLs", f"each URL must be at most {MAX_URL_BYTES} bytes"
            )
        if url != "eventbridge" and not url.lower().startswith(("http://", "https://")):
            raise errors.invalid_parameter(
                "NotificationURLs", "each URL must be an http(s) URL or eventbridge"
            )
    return list(urls)


def _resolve(template: Template, given: Mapping[str, str]) -> dict[str, Any]:
    try:
        return resolve_parameters(template, given)
    except TemplateError as exc:
        raise template_error(exc) from None


def _conditions_or_error(context: _Context) -> dict[str, bool]:
    try:
        return context.all_conditions()
    except RosApiError:
        raise
    except (TypeError, ValueError) as exc:
        raise errors.validation_failed(f"Conditions could not be evaluated: {exc}") from None


def _evaluate_properties(definition: Mapping[str, Any], context: _Context) -> dict[str, Any]:
    value = evaluate(definition.get("Properties") or {}, context)
    return value if isinstance(value, dict) else {}


def _reverse_graph(stack: Stack, names: list[str]) -> dict[str, set[str]]:
    """For deletion: a resource waits for everything that depends on it."""
    forward = validate_template(stack.template) if stack.template.resources else {}
    wanted = set(names)
    result: dict[str, set[str]] = {n: set() for n in names}
    for name, deps in forward.items():
        if name not in wanted:
            continue
        for dep in deps:
            if dep in wanted:
                result[dep].add(name)
    return result


def _has_tag(stack: Stack, key: str, value: str | None) -> bool:
    return any(t.get("Key") == key and value in (None, t.get("Value")) for t in stack.tags)
