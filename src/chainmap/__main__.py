"""``python -m chainmap``."""

import sys

from chainmap.cli.app import main

sys.exit(main())
