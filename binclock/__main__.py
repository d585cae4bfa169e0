"""The ``binclock`` command and ``python -m binclock``: hold the stop and reload signals first.

SIGTERM, SIGINT, SIGHUP and SIGUSR1 are blocked before anything else is imported, so one that comes
while the program is still starting waits for the clock's signal inbox instead of killing
the process; commands that do not run the clock give them back once the command line is
read (see ``binclock.commandline.cli``).
"""

import signal
import sys

from binclock.daemon.signals import WATCHED


def main() -> int:
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
    from binclock.commandline.cli import main as run  # the heavy imports, with the signals held

    return run()


if __name__ == "__main__":
    sys.exit(main())
