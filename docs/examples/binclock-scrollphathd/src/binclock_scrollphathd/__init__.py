"""A binclock driver for the Pimoroni Scroll pHAT HD, registered as ``scrollphathd``.

Importing this package does not import the hardware libraries; the driver does, when built.
"""

from binclock_scrollphathd.driver import ScrollPhatHdDriver, ScrollPhatHdOptions

__all__ = ["ScrollPhatHdDriver", "ScrollPhatHdOptions"]
__version__ = "1.0.0"
