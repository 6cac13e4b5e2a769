"""Tunnels: presets and output parsers, the supervisor that runs a tunnel tool, the self-probe.

The engine owns one :class:`Prober` (wired into the receiver's ``on_probe``) and one
:class:`TunnelSupervisor`; it hands out ``supervisor.verified_url`` and nothing else.
"""

from __future__ import annotations

from rostray.core.tunnels.presets import (
    PRESETS,
    LineInfo,
    PresetError,
    TunnelPreset,
    extract_url,
    parse_line,
    preset_for,
    strip_ansi,
)
from rostray.core.tunnels.probe import ProbeError, Prober
from rostray.core.tunnels.supervisor import (
    SupervisorPolicy,
    TunnelError,
    TunnelState,
    TunnelSupervisor,
)

__all__ = [
    "PRESETS",
    "LineInfo",
    "PresetError",
    "ProbeError",
    "Prober",
    "SupervisorPolicy",
    "TunnelError",
    "TunnelPreset",
    "TunnelState",
    "TunnelSupervisor",
    "extract_url",
    "parse_line",
    "preset_for",
    "strip_ansi",
]
