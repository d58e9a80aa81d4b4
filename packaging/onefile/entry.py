"""The one-file build's entry point: the `curator` command, frozen with its interpreter."""

from curator_tui.cli import main

raise SystemExit(main())
