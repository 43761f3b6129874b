"""Server side of a NetworkSession: ``python -m sklearn_sbs._simulation._server IN OUT``.

Reads ``(command, payload)`` messages from file descriptor IN and answers each
with ``("ok", result)`` or ``("error", message)`` on OUT, until IN closes.

The caller decides when the server ends: Ctrl-C in a terminal reaches the
whole process group, so the server ignores SIGINT (its caller stops or kills
it), and it leaves without a word when a pipe closes or breaks.
"""

import signal
import sys
from multiprocessing.connection import Connection


def _answer(command, payload, network, backend):
    """(reply, network after the command)."""
    if command in ("build", "release") and network is not None:
        network, old = None, network
        old.close()
    if command == "build":
        return None, backend.LiveNetwork(payload)
    if command == "run":
        return dict(network.run(**payload), seconds=network.last_seconds), network
    if command == "release":
        return None, None
    raise ValueError(f"unknown command {command!r}")


def serve(recv, send):
    from . import _backend

    network = None
    while True:
        command, payload = recv.recv()
        try:
            reply, network = _answer(command, payload, network, _backend)
        except Exception as exc:       # reported to the caller, who decides
            network = None
            send.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        send.send(("ok", reply))


def main(argv):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        serve(Connection(int(argv[1]), writable=False), Connection(int(argv[2]), readable=False))
    except (EOFError, OSError):        # the caller closed the pipes or went away
        pass


if __name__ == "__main__":
    main(sys.argv)
