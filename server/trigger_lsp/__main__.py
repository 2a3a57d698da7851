"""Entry point for `python -m trigger_lsp`."""

import sys

from trigger_lsp.cli.main import main

sys.exit(main())
