"""The engine: one object the tray app, headless mode and CLI all drive.

It owns the ROS client (real or the embedded sandbox), the callback receiver, the store and
the tracker, and turns a LaunchRequest into a tracked stack whose outcome arrives as an
event.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from rostray.config import RosSettings, Settings, data_dir
from rostray.core.credentials import Credentials, resolve
from rostray.core.events import EngineWarning, EventBus, StackLaunched, Subscription
from rostray.core.i18n import Text, deferred
from rostray.core.pending import LAUNCH_TAG, PendingPolicy, PendingResolver
from rostray.core.receiver import Receiver
from rostray.core.ros import RosClient, RosError, StackEvent, StackInfo, StackRequest
from rostray.core.store import AsyncStore, Launch, PendingLaunch, StoreError
from rostray.core.templates import (
    ParameterErrors,
    TemplateError,
    load_template,
    masked_parameters,
    resolve_parameters,
)
from rostray.core.tracker import PollPolicy, Tracker
from rostray.core.tunnels import Prober, SupervisorPolicy, TunnelSupervisor

log = logging.getLogger(__name__)
KEEP_CALLBACKS = 5000  # raw callback bodies kept for inspection; older ones are pruned
MAX_TAGS = 20  # ROS's limit per stack; rostray's own tag is one of them
SUPERSEDED = "left unverified by a stop; the stack's result is checked by reconcile"


class LaunchRefused(Exception):
    """A launch stopped before any API call; ``errors`` maps parameter keys to messages.

    ``text`` is the message for display in the user's language (``i18n.localized``); ``str()``
    stays English for logs.
    """

    def __init__(self, message: str | Text, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.text = message if isinstance(message, Text) else None
        self.errors = dict(errors or {})


@dataclass(frozen=True)
class LaunchRequest:
    template_body: str
    stack_name: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    region: str | None = None
    timeout_minutes: int = 60
    disable_rollback: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    extra_notification_urls: tuple[str, ...] = ()
    template_name: str = ""
    allow_polling: bool = False  # no verified public URL: launch anyway, learn by polling


def check_parameters(
    template_body: str, parameters: Mapping[str, str], *, require_all: bool = True
) -> dict[str, str]:
    """Validate locally, so the user sees every parameter problem before any API call.

    Returns the values as they may be stored (NoEcho masked). An update reuses the stack's
    previous values on ROS's side, so it checks only what it is given.
    """
    try:
        template = load_template(template_body)
        values = resolve_parameters(template, parameters, collect=True)
    except ParameterErrors as exc:
        problems = {
            e.key: e.message for e in exc.errors if require_all or e.code != "UserParameterMissing"
        }
        if problems:
            raise LaunchRefused(
                deferred.translate("Engine", "some parameters are not valid"), problems
            ) from None
        values = {k: v for k, v in parameters.items() if k in template.parameters}
    except TemplateError as exc:
        raise LaunchRefused(f"{exc.code}: {exc.message}") from None
    return masked_parameters(template, values)


class Engine:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        credentials: Credentials | None = None,
        force_sandbox: bool = False,
        endpoint: str | None = None,
        store_path: Path | None = None,
        sandbox_state: Path | None = None,
        poll_policy: PollPolicy | None = None,
        force_tunnel: bool = False,
        tunnel_policy: SupervisorPolicy | None = None,
        reconcile: bool = True,
        pending_policy: PendingPolicy | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._force_tunnel = force_tunnel
        self._tunnel_policy = tunnel_policy
        # Short-lived commands must not take the exactly-once gate for results they would
        # never show; the tray app and headless mode reconcile.
        self._reconcile = reconcile
        self._pending_policy = pending_policy
        self._explicit = credentials
        self._force_sandbox = force_sandbox or self.settings.ros.credentials == "sandbox"
        self._endpoint = endpoint or self.settings.ros.endpoint
        self._store_path = store_path or data_dir() / "history.sqlite3"
        self._sandbox_state = sandbox_state
        t = self.settings.tracker
        self._policy = poll_policy or PollPolicy(
            grace=t.poll_grace_seconds,
            max_interval=t.poll_max_interval_seconds,
            verify_retries=t.verify_retries,
        )
        self.bus = EventBus()
        self.sandbox: Any = None
        self.ros: RosClient | None = None
        self.store: AsyncStore | None = None
        self.receiver: Receiver | None = None
        self.tracker: Tracker | None = None
        self.pending: PendingResolver | None = None
        self.prober = Prober()
        self.tunnel: TunnelSupervisor | None = None
        self.credential_source = ""
        self.warnings: list[str | Text] = []  # for the UI: locked keyring, legacy env vars, …

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return "sandbox" if self.sandbox is not None else "cloud"

    @property
    def mode_description(self) -> str:
        if self.sandbox is not None:
            return f"embedded ROS sandbox at {self.sandbox.endpoint} (no cloud account used)"
        assert self.ros is not None
        return f"Alibaba Cloud ROS at {self.ros.endpoint} ({self.credential_source})"

    async def start(self) -> Engine:
        creds = None if self._force_sandbox else self._resolve_credentials()
        if creds is None:
            creds = await self._start_sandbox()
        else:
            self.credential_source = creds.source
        # A region the user configured beats a CLI profile's; the profile's beats the default.
        configured = self.settings.ros.region
        region = configured if configured != RosSettings().region else creds.region or configured
        endpoint = self.sandbox.endpoint if self.sandbox is not None else self._endpoint
        self.ros = RosClient(creds, region=region, endpoint=endpoint)
        self.store = await AsyncStore.open(self._store_path)
        await self.store.prune_callbacks(KEEP_CALLBACKS)
        self.tracker = Tracker(self.store, self.bus, self._ros_for, self._policy)
        self.pending = PendingResolver(
            self.store, self.bus, self.tracker, self._ros_for, self._pending_policy
        )
        started = time.time()  # callbacks from this run are received after this
        r = self.settings.receiver
        self.receiver = Receiver(
            host=r.host,
            port=r.port,
            max_body_bytes=r.max_body_bytes,
            is_known_token=self.tracker.is_known_token,
            on_callback=self.tracker.on_callback,
            on_probe=self.prober.handle_probe,
        )
        await self.receiver.start()
        if self.receiver.warning:  # e.g. the configured port was taken: a free one is used
            self.warnings.append(self.receiver.warning)
        if self.needs_tunnel:
            self.tunnel = TunnelSupervisor(
                self.settings.tunnel,
                self.receiver.port,
                probe=self.prober,
                on_state=self.bus.publish,
                on_url_changed=self._tunnel_url_changed,
                policy=self._tunnel_policy,
            )
            await self.tunnel.start()
        known = await self.store.known_launches()
        unfinished = await self.store.unfinished() if self._reconcile else []
        if self._reconcile:  # a stop cut their verification short; reconcile checks instead
            await self.store.supersede_pending(started, SUPERSEDED)
        await self.tracker.start(known, unfinished)
        if self._reconcile:
            self.pending.start()
        self.ros.warm_up_soon()
        log.info("engine started on the %s", self.mode_description)
        return self

    def _resolve_credentials(self) -> Credentials | None:
        ros = self.settings.ros
        found = resolve(explicit=self._explicit, mode=ros.credentials, profile=ros.profile)
        self.warnings.extend(found.warnings)
        return found.credentials

    async def _start_sandbox(self) -> Credentials:
        from rostray.sandbox import Sandbox, SandboxConfig

        s = self.settings.sandbox
        state = self._sandbox_state
        if state is None:
            state = (
                Path(s.state_file).expanduser()
                if s.state_file
                else data_dir() / "sandbox-state.json"
            )
        self.sandbox = Sandbox(
            SandboxConfig(
                access_key_secret=secrets.token_urlsafe(24),
                state_file=state,
                region=s.region,
                time_scale=s.time_scale,
            )
        )
        await self.sandbox.start()
        self.credential_source = "sandbox"
        return Credentials(
            self.sandbox.access_key_id,
            self.sandbox.access_key_secret,
            source="sandbox",
            region=s.region,
        )

    @property
    def needs_tunnel(self) -> bool:
        """Real ROS cannot reach 127.0.0.1; a loopback endpoint needs no tunnel unless forced."""
        if self.settings.tunnel.mode == "none":
            return False
        return self._force_tunnel or not (self.ros is not None and self.ros.local)

    async def stop(self) -> None:
        if self.tunnel is not None:
            await self.tunnel.stop()
        self.bus.close()
        if self.pending is not None:
            await self.pending.stop()
        if self.tracker is not None:
            await self.tracker.stop()
        if self.receiver is not None:
            await self.receiver.stop()
        if self.ros is not None:
            await self.ros.close()
        if self.sandbox is not None:
            await self.sandbox.stop()
        if self.store is not None:
            await self.store.close()

    async def __aenter__(self) -> Engine:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def subscribe(self) -> Subscription:
        return self.bus.subscribe()

    def _ros_for(self, launch: Launch | PendingLaunch) -> RosClient | None:
        """Only ask the backend a stack was launched on (the sandbox cannot answer for ROS)."""
        return self.ros if launch.sandbox == (self.mode == "sandbox") else None

    def _parts(self) -> tuple[RosClient, AsyncStore, Receiver, Tracker]:
        if not (self.ros and self.store and self.receiver and self.tracker):
            raise RuntimeError("the engine is not started")
        return self.ros, self.store, self.receiver, self.tracker

    def _resolver(self) -> PendingResolver:
        if self.pending is None:
            raise RuntimeError("the engine is not started")
        return self.pending

    # --- callback URL -----------------------------------------------------------------------

    def callback_base_url(self) -> str | None:
        """Where ROS can reach the receiver: locally for a loopback endpoint, else through a
        tunnel whose public URL was verified by a self-probe (never an unverified one)."""
        ros, _, receiver, _ = self._parts()
        if ros.local and not self._force_tunnel:
            return receiver.local_base_url
        return self.tunnel.verified_url if self.tunnel is not None else None

    def no_callback_reason(self) -> Text:
        """Why no callback can arrive (``str()`` for English, ``render()`` to translate)."""
        if self.tunnel is None:
            return deferred.translate(
                "Engine",
                "ROS cannot reach this computer: no tunnel is configured ([tunnel] mode in the "
                "config file, or Settings → Tunnel)",
            )
        state = self.tunnel.state
        return deferred.translate(
            "Engine", "the tunnel is not verified ({phase}: {reason})"
        ).format(phase=state.phase, reason=state.reason)

    async def _tunnel_url_changed(self, old: str, new: str) -> None:
        """Stacks keep their create-time URL: move the ones using the old URL to polling."""
        _, store, _, tracker = self._parts()
        prefix = old.rstrip("/") + "/hooks/"
        moved = [x for x in await store.unfinished() if x.notification_url.startswith(prefix)]
        for launch in moved:
            await store.set_polling(launch.stack_id, True)
            tracker.poll_soon(launch.stack_id)
        if moved:
            self.bus.publish(
                EngineWarning(
                    deferred.translate(
                        "Engine",
                        "The tunnel's public URL changed; {count} running stack(s) will be "
                        "checked by polling instead.",
                    ).format(count=len(moved)),
                    f"{old} → {new}",
                )
            )

    # --- operations -------------------------------------------------------------------------

    async def launch(self, req: LaunchRequest, *, allow_polling: bool = False) -> Launch:
        """Write the launch down, then CreateStack, then bind the StackId (E1): a kill at any
        point leaves either nothing on ROS or a row a later start can resolve."""
        ros, store, receiver, tracker = self._parts()
        pending = self._resolver()
        masked = check_parameters(req.template_body, req.parameters)
        base = self.callback_base_url()
        if base is None and not (allow_polling or req.allow_polling):
            raise LaunchRefused(
                deferred.translate(
                    "Engine",
                    "{reason}. Fix the tunnel, or launch anyway and learn the result by polling "
                    "(--poll).",
                ).format(reason=self.no_callback_reason())
            )
        client_token = uuid.uuid4().hex
        tags = launch_tags(req.tags, client_token)
        token = secrets.token_urlsafe(32)
        url = receiver.hook_url(token, base) if base else ""
        urls = ([url] if url else []) + list(req.extra_notification_urls)
        if len(urls) > 5:
            raise LaunchRefused(
                deferred.translate(
                    "Engine", "ROS accepts at most 5 notification URLs (rostray uses one)"
                )
            )
        region = req.region or ros.region
        request = {
            "template_name": req.template_name,
            "template_body": req.template_body,  # lets "Update stack" start from it
            "parameters": masked,
            "timeout_minutes": req.timeout_minutes,
            "disable_rollback": req.disable_rollback,
            "tags": dict(req.tags),
            "extra_notification_urls": len(req.extra_notification_urls),
        }
        await store.add_pending(
            client_token=client_token,
            stack_name=req.stack_name,
            region=region,
            endpoint=ros.endpoint,
            sandbox=self.mode == "sandbox",
            token=token,
            notification_url=url,
            request=request,
        )
        tracker.expect(token)
        try:
            with pending.launching(client_token):
                stack_id = await ros.create_stack(
                    StackRequest(
                        stack_name=req.stack_name,
                        template_body=req.template_body,
                        parameters=req.parameters,
                        region=region,
                        timeout_minutes=req.timeout_minutes,
                        disable_rollback=req.disable_rollback,
                        tags=tags,
                    ),
                    notification_urls=urls,
                    client_token=client_token,
                )
        except RosError as exc:
            tracker.forget(token)
            if exc.retryable:  # it may have reached ROS: find out later by its tag
                pending.kick()
            else:  # refused: no stack exists
                await store.drop_pending(client_token)
            raise
        except BaseException:  # cancelled mid-call: it may have reached ROS
            tracker.forget(token)
            raise
        launch = await store.bind_pending(client_token, stack_id)
        if not url:
            await store.set_polling(stack_id, True)
        tracker.track(launch, first_check_in=None if url else min(self._policy.grace, 5.0))
        self.bus.publish(
            StackLaunched(stack_id, req.stack_name, region, "CREATE", self.mode == "sandbox")
        )
        return launch

    async def find(self, stack: str) -> Launch:
        """A tracked stack by id, or by name (the newest launch with that name)."""
        _, store, _, _ = self._parts()
        launch = await store.get_by_stack(stack)
        if launch is None:
            matches = [
                x for x in await store.history(limit=1000, search=stack) if x.stack_name == stack
            ]
            launch = matches[0] if matches else None
        if launch is None:
            raise LaunchRefused(
                deferred.translate("Engine", "no stack {stack} in rostray's history").format(
                    stack=repr(stack)
                )
            )
        return launch

    async def update(
        self,
        stack: str,
        *,
        template_body: str | None = None,
        parameters: Mapping[str, str] | None = None,
    ) -> Launch:
        """ROS keeps the create-time NotificationURLs, so the same token hears the update."""
        ros, _, _, _ = self._parts()
        launch = await self.find(stack)
        if template_body is not None:
            check_parameters(template_body, parameters or {}, require_all=False)
        return await self._operate(
            launch,
            "UPDATE",
            lambda: ros.update_stack(
                launch.stack_id,
                template_body=template_body,
                parameters=dict(parameters or {}),
                client_token=uuid.uuid4().hex,
                region=launch.region,
            ),
        )

    async def delete(self, stack: str) -> Launch:
        ros, _, _, _ = self._parts()
        launch = await self.find(stack)
        return await self._operate(
            launch, "DELETE", lambda: ros.delete_stack(launch.stack_id, region=launch.region)
        )

    async def _operate(
        self, launch: Launch, operation: str, call: Callable[[], Awaitable[Any]]
    ) -> Launch:
        """Begin the operation in the store *before* the API call (E4), so a result that calls
        back before the call returns is judged against this operation, not the last one; its
        callbacks wait until the call returns. A refused call restores the old operation."""
        _, store, _, tracker = self._parts()
        tracker.hold(launch.token)
        try:
            updated = await store.begin_operation(
                launch.stack_id, operation, f"{operation}_IN_PROGRESS"
            )
        except BaseException:
            tracker.release(launch.token)
            raise
        try:
            await call()
        except BaseException:
            try:
                await store.restore_operation(launch)
            except StoreError as exc:  # the API's error is the one to report
                log.warning(
                    "could not restore %s after a refused %s: %s", launch.stack_id, operation, exc
                )
            finally:
                tracker.release(launch.token)
            raise
        tracker.track(updated)  # releases the held callbacks
        self.bus.publish(
            StackLaunched(
                launch.stack_id, launch.stack_name, launch.region, operation, launch.sandbox
            )
        )
        return updated

    async def history(
        self, limit: int = 100, search: str | None = None, *, with_request: bool = True
    ) -> list[Launch]:
        _, store, _, _ = self._parts()
        return await store.history(limit=limit, search=search, with_request=with_request)

    async def stack_info(self, stack: str, *, progress: bool = True) -> StackInfo:
        ros, _, _, _ = self._parts()
        launch = await self.find(stack)
        return await ros.get_stack(launch.stack_id, region=launch.region, progress=progress)

    async def stack_events(self, stack: str) -> list[StackEvent]:
        ros, _, _, _ = self._parts()
        launch = await self.find(stack)
        return await ros.list_stack_events(launch.stack_id, region=launch.region)


def launch_tags(user_tags: Mapping[str, str], client_token: str) -> dict[str, str]:
    """The user's tags plus rostray's own, which lets a later start find the stack if this
    process dies before CreateStack answers."""
    if LAUNCH_TAG in user_tags:
        raise LaunchRefused(f"the tag key {LAUNCH_TAG} is rostray's own; use another key")
    if len(user_tags) >= MAX_TAGS:
        raise LaunchRefused(
            f"ROS accepts at most {MAX_TAGS} tags per stack and rostray adds one "
            f"({LAUNCH_TAG}): give at most {MAX_TAGS - 1}"
        )
    return {**user_tags, LAUNCH_TAG: client_token}


def launch_summary(launch: Launch) -> dict[str, Any]:
    """A history row for JSON output, without the callback token or URL."""
    decoded = {
        "request_json": ("request", launch.request),
        "outputs_json": ("outputs", launch.outputs),
    }
    return dict(
        decoded.get(key, (key, value))
        for key, value in asdict(launch).items()
        if key not in ("token", "notification_url")
    )
