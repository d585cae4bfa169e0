"""The ``binclock`` command line: the parser, and what each of its commands does."""
