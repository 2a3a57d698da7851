"""The frozen program's entry point (PyInstaller runs this file as __main__)."""

import multiprocessing
import sys

from trigger_lsp.cli.main import main

if __name__ == "__main__":
    # `check --jobs N` starts worker processes; a frozen program must route them here.
    multiprocessing.freeze_support()
    sys.exit(main())
