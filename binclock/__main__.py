"""``python -m binclock``: the same as the ``binclock`` command."""

import sys

from binclock.cli import main

sys.exit(main())
