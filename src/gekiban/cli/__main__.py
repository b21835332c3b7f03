"""``python -m gekiban.cli`` runs the command line, as ``python -m gekiban`` does."""

import sys

from gekiban.cli.main import main

sys.exit(main())
