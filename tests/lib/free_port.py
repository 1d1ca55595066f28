#!/usr/bin/env python3
"""tests/lib/free_port.py — print a TCP port on 127.0.0.1 that was free a
moment ago (bound to port 0, read back, closed), for tests that start
servers on loopback. usage: free_port.py"""
import socket

s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
