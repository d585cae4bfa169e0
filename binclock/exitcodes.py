"""Exit codes, after sysexits.h, so that scripts and systemd can tell failures apart."""

OK = 0
USAGE = 64  # bad command line: unknown driver or face, bad option value
UNAVAILABLE = 69  # the display cannot be used here (library missing, no device, no permission)
SOFTWARE = 70  # the driver kept failing at run time
CONFIG = 78  # the configuration file or a --set override is invalid
