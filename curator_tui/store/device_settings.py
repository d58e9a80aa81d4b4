"""The store's device and settings: this replica's device id (made once, at `curator init`),
the devices it has heard of, and its local settings (never replicated)."""

from __future__ import annotations

from typing import Any

from curator_tui.domain.ops import new_id
from curator_tui.store.base import StoreBase
from curator_tui.store.database import first_dict, transaction


class DeviceSettings(StoreBase):
    """Store's part for the device and settings (store.py says how the parts make one Store)."""

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM local_setting WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)", (key, value)
            )

    def init_device(self, *, name: str, role: str, public_key: str = "") -> str:
        device_id = self.setting("device_id") or new_id()
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES ('device_id', ?)",
                (device_id,),
            )
            conn.execute(
                "INSERT OR REPLACE INTO device (id, name, role, public_key, is_local) "
                "VALUES (?, ?, ?, ?, 1)",
                (device_id, name, role, public_key),
            )
        return device_id

    @property
    def device_id(self) -> str:
        if self._device_id is None:
            self._device_id = self.setting("device_id")
        assert self._device_id is not None
        return self._device_id

    def device(self) -> dict[str, Any]:
        row = first_dict(self.conn, "SELECT * FROM device WHERE is_local = 1")
        return row or {"id": self.device_id, "name": "", "role": ""}

    def known_device(self, device_id: str) -> dict[str, Any] | None:
        return first_dict(self.conn, "SELECT * FROM device WHERE id = ?", (device_id,))

    def remember_device(self, device_id: str, name: str, role: str, public_key: str) -> None:
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO device (id, name, role, public_key, is_local) "
                "VALUES (?, ?, ?, ?, 0)",
                (device_id, name, role, public_key),
            )
