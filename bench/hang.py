"""Endpoints that accept connections and never answer: a black-holed IMDS and
a hung app for bench/live.sh (prints the two ports), or with `--unix PATH` a
Docker Engine socket for bench/engine.sh (prints the path). Serves until killed."""
import socket
import sys
import threading
import time

def hold(listener):
    held = []
    while True:
        conn, _ = listener.accept()
        held.append(conn)  # read nothing, answer nothing, keep it open

sockets = []
if len(sys.argv) == 3 and sys.argv[1] == "--unix":
    s = socket.socket(socket.AF_UNIX)
    s.bind(sys.argv[2])
    s.listen(64)
    sockets.append(s)
    threading.Thread(target=hold, args=(s,), daemon=True).start()
    print(sys.argv[2], flush=True)
else:
    for _ in range(2):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        sockets.append(s)
        threading.Thread(target=hold, args=(s,), daemon=True).start()
    print(" ".join(str(s.getsockname()[1]) for s in sockets), flush=True)
while True:
    time.sleep(3600)
