"""Entry point of the frozen ``xuhui-desk`` program (PyInstaller, see ``build.spec``).

It does what the ``xuhui-desk`` console script does: the GUI with no arguments, the
command line of DESIGN.md §6 otherwise.
"""

import sys

from xuhui_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
