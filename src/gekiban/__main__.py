"""``python -m gekiban`` runs the command line (see :mod:`gekiban.cli`)."""

import sys

from gekiban.cli import main

sys.exit(main())
