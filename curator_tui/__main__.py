"""`python -m curator_tui`: the `curator` command without its launcher script.

`curator serve` starts each browser tab's app this way, so the child needs no `curator`
on PATH (a venv that was never activated, a Windows install).
"""

from curator_tui.cli import main

raise SystemExit(main())
