"""Every row belongs to exactly one alliance; nothing crosses between alliances."""

from __future__ import annotations

from typing import NewType

AllianceId = NewType("AllianceId", str)
