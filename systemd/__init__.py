"""The systemd unit and drop-in, shipped inside the package for ``binclock service install``."""
