"""Transport tests: a real OpenSSH sshd on loopback (sshd_peer.py) and the transports on it."""
