import sys

from xuhui_desk.cli import main

sys.exit(main())
