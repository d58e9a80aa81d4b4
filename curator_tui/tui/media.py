"""Where a USB stick shows up: the folders the file pickers open on.

Both the evidence dialog and the exchange screen look for removable media first, because a
director brings scans, and a curator bundles, on a stick. How media are found differs by
operating system, so it lives in `curator_tui.platform`; this name stays for the TUI's
callers of old.
"""

from __future__ import annotations

from curator_tui.platform import find_medium as find_medium
from curator_tui.platform import start_directory as start_directory
