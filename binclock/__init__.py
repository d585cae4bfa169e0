"""binclock: a binary clock for the Raspberry Pi with pluggable displays."""

__version__ = "0.1.0"
