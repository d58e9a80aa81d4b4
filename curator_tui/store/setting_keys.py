"""Keys of `local_setting` that more than one store module reads.

Their own module so that reading them (the hub check at start-up) loads nothing else.
"""

from __future__ import annotations

COVERED_PREFIX = "sync.covered."  # + device id: bundles imported cover up to this seq
HUB_REGION_SETTING = "hub_region"  # set on a coordinator's hub only
SEQ_FLOOR_SETTING = "sync.seq_floor"  # this device numbers its new ops after this seq
