"""Exit codes, after sysexits.h, so that scripts and systemd can tell failures apart."""

OK = 0
USAGE = 64  # bad command line: unknown driver or face, bad option value
UNAVAILABLE = 69  # the display cannot be used here (library missing, no device, no permission);
# ctl: no clock answers; mqtt --forget: no broker answers
SOFTWARE = 70  # the display kept failing at run time
NOPERM = 77  # not allowed: service install/uninstall without root; the broker refused the
# login, or TLS does not trust its certificate
CONFIG = 78  # the configuration file or a --set override is invalid
INTERRUPTED = 130  # Ctrl-C during a command other than the running clock (128 + SIGINT)
