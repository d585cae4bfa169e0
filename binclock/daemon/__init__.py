"""The running clock: its loop, displays, beat, signals, systemd notify, fades, its pipe."""
