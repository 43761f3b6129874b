"""Server side of a NetworkSession: ``python -m sklearn_sbs._simulation._server IN OUT``.

Reads ``(command, payload)`` messages from file descriptor IN and answers each
with ``("ok", result)`` or ``("error", message)`` on OUT, until IN closes.
"""

import sys
from multiprocessing.connection import Connection


def serve(recv, send):
    from . import _backend

    network = None
    while True:
        try:
            command, payload = recv.recv()
        except EOFError:
            break
        try:
            if command in ("build", "release") and network is not None:
                network, old = None, network
                old.close()
            if command == "build":
                network = _backend.LiveNetwork(payload)
                reply = None
            elif command == "run":
                reply = network.run(**payload)
            elif command == "release":
                reply = None
            else:
                raise ValueError(f"unknown command {command!r}")
        except Exception as exc:       # reported to the caller, who decides
            network = None
            send.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        send.send(("ok", reply))


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1]), writable=False),
          Connection(int(sys.argv[2]), readable=False))
