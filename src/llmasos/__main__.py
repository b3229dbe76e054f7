"""``python -m llmasos`` runs the same entry point as the ``llmasos`` command."""

from llmasos.apps.cli.main import main

raise SystemExit(main())
