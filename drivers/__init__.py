"""Display adapters. Each imports its hardware library only when it is built."""
