"""Resource types the sandbox runs: ROS-native ones for real, every other type simulated.

A simulated resource gets a deterministic fake physical id and placeholder attributes that
say they are placeholders, so any real template can be rehearsed end to end.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import string
from collections.abc import Mapping
from typing import Any, Protocol

from rostray.sandbox import errors
from rostray.sandbox.model import Resource, Stack, WaitSignal


class Runtime(Protocol):
    """What handlers need from the engine."""

    def seconds(self, value: float) -> float:
        """Scale a template duration (tests run the sandbox faster than real time)."""
        ...

    @property
    def simulated_delay(self) -> float: ...

    def wait_condition_url(self, stack: Stack, handle: str) -> str: ...

    async def wait_for_signals(self, stack: Stack, handle: str, count: int) -> list[WaitSignal]:
        """Return once ``count`` SUCCESS signals or one FAILURE signal arrived."""
        ...


class Handler:
    attributes: frozenset[str] | None = None  # None: any attribute name (simulated types)

    async def create(self, rt: Runtime, stack: Stack, res: Resource, props: dict) -> None:
        raise NotImplementedError

    async def update(
        self, rt: Runtime, stack: Stack, res: Resource, props: dict, old: dict
    ) -> None:
        await self.create(rt, stack, res, props)

    async def delete(self, rt: Runtime, stack: Stack, res: Resource) -> None:
        return None


def _number(props: Mapping[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    value = props.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise errors.validation_failed(f"Property {key} must be a number, not {value!r}") from None
    if not lo <= number <= hi:
        raise errors.validation_failed(f"Property {key} must be between {lo:g} and {hi:g}")
    return number


def _shell_quote(url: str) -> str:
    return url.replace("&", "\\&")


class WaitConditionHandle(Handler):
    attributes = frozenset({"CurlCli", "WindowsCurlCli", "PowerShellCurlCli", "URL", "Headers"})

    async def create(self, rt: Runtime, stack: Stack, res: Resource, props: dict) -> None:
        url = rt.wait_condition_url(stack, res.logical_id)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "x-acs-region-id": stack.region,
        }
        header_flags = " ".join(f"-H '{k}: {v}'" for k, v in headers.items())
        win_flags = " ".join(f'-H "{k}: {v}"' for k, v in headers.items())
        ps_headers = "; ".join(f"'{k}'='{v}'" for k, v in headers.items() if k != "Content-Type")
        res.physical_id = f"{stack.id}-{res.logical_id}"
        res.attributes = {
            "URL": url,
            "Headers": headers,
            "CurlCli": f"curl -i -X POST {header_flags} {_shell_quote(url)}",
            "WindowsCurlCli": f'curl -i -X POST {win_flags} "{url}"',
            "PowerShellCurlCli": (
                f"Invoke-WebRequest -Uri '{url}' -Method Post -ContentType 'application/json' "
                f"-Headers @{{{ps_headers}}}"
            ),
        }

    async def update(
        self, rt: Runtime, stack: Stack, res: Resource, props: dict, old: dict
    ) -> None:
        return None  # the handle keeps its URL and signals across updates


class WaitCondition(Handler):
    attributes = frozenset(
        {"Data", "ErrorData", "JoinedErrorData", "LastData", "JoinedLastErrorData"}
    )

    async def create(self, rt: Runtime, stack: Stack, res: Resource, props: dict) -> None:
        handle = _handle_name(stack, props.get("Handle"))
        timeout = _number(props, "Timeout", 1800, 1, 43200)
        count = int(_number(props, "Count", 1, 1, 10000))
        try:
            signals = await asyncio.wait_for(
                rt.wait_for_signals(stack, handle, count), rt.seconds(timeout)
            )
        except TimeoutError:
            got = sum(1 for s in stack.wait_signals.get(handle, []) if s.status == "SUCCESS")
            raise errors.RosApiError(
                "WaitConditionTimeout",
                f"WaitConditionTimeout: resources.{res.logical_id}: {got} of {count} received",
            ) from None
        successes = [s for s in signals if s.status == "SUCCESS"]
        failures = [s for s in signals if s.status == "FAILURE"]
        res.physical_id = f"{stack.id}-{res.logical_id}"
        res.attributes = _wait_attributes(successes, failures)
        if failures:
            reason = "; ".join(s.reason or "failure signal" for s in failures)
            raise errors.RosApiError(
                "WaitConditionFailure",
                f"WaitConditionFailure: resources.{res.logical_id}: {reason}",
            )


def _handle_name(stack: Stack, value: Any) -> str:
    for name, resource in stack.resources.items():
        if resource.physical_id and resource.physical_id == value:
            return name
    if isinstance(value, str) and value in stack.resources:
        return value
    raise errors.validation_failed(f"Handle {value!r} is not a WaitConditionHandle of this stack")


def _wait_attributes(successes: list[WaitSignal], failures: list[WaitSignal]) -> dict[str, Any]:
    data = {s.id: s.data for s in successes}
    error_data = {s.id: s.reason for s in failures}
    return {
        "Data": json.dumps(data, ensure_ascii=False),
        "ErrorData": json.dumps(error_data, ensure_ascii=False),
        "JoinedErrorData": "\n".join(str(v) for v in error_data.values()),
        "LastData": json.dumps(successes[-1].data if successes else None, ensure_ascii=False),
        "JoinedLastErrorData": str(failures[-1].reason) if failures else "",
    }


class Sleep(Handler):
    attributes = frozenset()

    async def create(self, rt: Runtime, stack: Stack, res: Resource, props: dict) -> None:
        await asyncio.sleep(rt.seconds(_number(props, "CreateDuration", 60, 0, 1800)))
        res.physical_id = f"{stack.id}-{res.logical_id}"

    async def update(
        self, rt: Runtime, stack: Stack, res: Resource, props: dict, old: dict
    ) -> None:
        await asyncio.sleep(rt.seconds(_number(props, "UpdateDuration", 0, 0, 1800)))

    async def delete(self, rt: Runtime, stack: Stack, res: Resource) -> None:
        await asyncio.sleep(rt.seconds(_number(res.properties, "DeleteDuration", 0, 0, 1800)))


_CHARACTER_CLASSES = {
    "uppercase": string.ascii_uppercase,
    "lowercase": string.ascii_lowercase,
    "digits": string.digits,
    "numbers": string.digits,
    "special": "!#$%&()*+,-./:;<=>?@[]^_{|}~",
    "octdigits": string.octdigits,
    "hexdigits": string.hexdigits,
    "letters": string.ascii_letters,
    "lettersdigits": string.ascii_letters + string.digits,
}


class RandomString(Handler):
    attributes = frozenset({"value"})

    async def create(self, rt: Runtime, stack: Stack, res: Resource, props: dict) -> None:
        length = int(_number(props, "length", 32, 1, 512))
        classes = props.get("character_classes") or [{"class": "lettersdigits", "min": 1}]
        pools: list[tuple[str, int]] = []
        for item in classes:
            name = str(item.get("class", "")).lower() if isinstance(item, Mapping) else ""
            if name not in _CHARACTER_CLASSES:
                raise errors.validation_failed(
                    f"character_classes: unknown class {name!r} "
                    f"(one of {', '.join(sorted(_CHARACTER_CLASSES))})"
                )
            pools.append((_CHARACTER_CLASSES[name], int(item.get("min", 1))))
        if sum(n for _, n in pools) > length:
            raise errors.validation_failed("character_classes minimums exceed length")
        chars = [secrets.choice(pool) for pool, n in pools for _ in range(n)]
        alphabet = "".join(pool for pool, _ in pools)
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        res.physical_id = f"{stack.id}-{res.logical_id}"
        res.attributes = {"value": "".join(chars)}


_ID_PREFIXES = {
    "ALIYUN::ECS::Instance": "i-",
    "ALIYUN::ECS::InstanceGroup": "i-",
    "ALIYUN::ECS::VPC": "vpc-",
    "ALIYUN::ECS::VSwitch": "vsw-",
    "ALIYUN::ECS::SecurityGroup": "sg-",
    "ALIYUN::ECS::Disk": "d-",
    "ALIYUN::VPC::EIP": "eip-",
    "ALIYUN::SLB::LoadBalancer": "lb-",
    "ALIYUN::RDS::DBInstance": "rm-",
    "ALIYUN::REDIS::Instance": "r-",
    "ALIYUN::OSS::Bucket": "bucket-",
    "ALIYUN::NAS::FileSystem": "nas-",
    "ALIYUN::ROS::Stack": "",
}


def simulated_id(stack_id: str, logical_id: str, kind: str) -> str:
    digest = hashlib.sha256(f"{stack_id}/{logical_id}".encode()).hexdigest()[:20]
    prefix = _ID_PREFIXES.get(kind)
    if prefix is None:
        prefix = kind.rsplit("::", 1)[-1].lower()[:12] + "-"
    return f"{prefix}sbx{digest}"


# Attributes that carry the physical id although their name is not "<Type>Id".
_OWN_ID_ALIASES = {"ALIYUN::VPC::EIP": frozenset({"allocation"})}


def _names_itself(kind: str, stem: str) -> bool:
    """Whether ``<stem>Id`` is the resource's own id (VpcId of a VPC, DBInstanceId of an RDS
    DBInstance) rather than another object's (VRouterId of a VPC)."""
    own = kind.rsplit("::", 1)[-1].lower()
    return (
        stem in ("", "resource", "physicalresource")
        or own.endswith(stem)
        or stem.endswith(own)
        or stem in _OWN_ID_ALIASES.get(kind, ())
    )


def simulated_attribute(res: Resource, name: str) -> Any:
    """A value that works where a real one would, and is obviously fake when shown."""
    lowered = name.lower()
    hashed = hashlib.sha256(f"{res.physical_id}/{name}".encode()).hexdigest()
    digest = int(hashed[:4], 16)
    if lowered.endswith("ids"):
        return [res.physical_id]
    if lowered.endswith("id"):
        stem = lowered[:-2]
        if _names_itself(res.type, stem):
            return res.physical_id
        return f"{stem[:12]}-sbx{hashed[:20]}"  # another object's id, e.g. a VPC's VRouterId
    if lowered.endswith(("ip", "ipaddress", "address")):
        return f"192.0.2.{digest % 254 + 1}"  # TEST-NET-1: documentation-only addresses
    if lowered.endswith("ips"):
        return [f"192.0.2.{digest % 254 + 1}"]
    if lowered.endswith(("url", "endpoint", "domain", "connectionstring")):
        return f"https://{res.logical_id.lower()}.sandbox.invalid"
    return f"sandbox-placeholder:{res.logical_id}.{name}"


class Simulated(Handler):
    attributes = None

    def __init__(self, kind: str) -> None:
        self.kind = kind

    async def create(self, rt: Runtime, stack: Stack, res: Resource, props: dict) -> None:
        await asyncio.sleep(rt.simulated_delay)
        res.physical_id = simulated_id(stack.id, res.logical_id, self.kind)
        res.attributes = {}

    async def update(
        self, rt: Runtime, stack: Stack, res: Resource, props: dict, old: dict
    ) -> None:
        await asyncio.sleep(rt.simulated_delay)

    async def delete(self, rt: Runtime, stack: Stack, res: Resource) -> None:
        await asyncio.sleep(rt.simulated_delay)


_NATIVE: dict[str, Handler] = {
    "ALIYUN::ROS::WaitConditionHandle": WaitConditionHandle(),
    "ALIYUN::ROS::WaitCondition": WaitCondition(),
    "ALIYUN::ROS::Sleep": Sleep(),
    "ALIYUN::RandomString": RandomString(),
}


def handler_for(kind: str) -> Handler:
    return _NATIVE.get(kind) or Simulated(kind)


def known_attributes(kind: str) -> frozenset[str] | None:
    """Attribute names a type offers, or None when any name is accepted (simulated types)."""
    handler = _NATIVE.get(kind)
    return handler.attributes if handler else None


def is_simulated(kind: str) -> bool:
    return kind not in _NATIVE


def resource_attribute(res: Resource, name: str) -> Any:
    if name in res.attributes:
        return res.attributes[name]
    if is_simulated(res.type):
        return simulated_attribute(res, name)
    raise errors.invalid_attribute(res.logical_id, name)
