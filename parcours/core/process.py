"""Who this process is, in the claims it writes (outbox leases, job slots)."""

import os
import socket


def process_name() -> str:
    """Return ``host:pid``, so an operator can tell which process holds a claim."""
    return f"{socket.gethostname()}:{os.getpid()}"
