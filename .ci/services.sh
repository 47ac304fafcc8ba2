#!/usr/bin/env bash
# Installs and starts what the tests talk to for real: OpenSSH's sshd (started per test session by
# a pytest fixture, so only installed here) and the machine's PostgreSQL on 127.0.0.1:5432.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if ! command -v sshd >/dev/null 2>&1 && [ ! -x /usr/sbin/sshd ]; then
  echo "installing openssh-server" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssh-server >/dev/null
fi
# The packet tests turn PDF pages into images with poppler's pdftoppm (tests/packet).
if ! command -v pdftoppm >/dev/null 2>&1; then
  echo "installing poppler-utils" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi
# The console tests drive a real headless Chromium through chromedriver (tests/web).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# sshd refuses to start without its privilege-separation directory.
$SUDO mkdir -p /run/sshd
$SUDO chmod 0755 /run/sshd
# The SFTP tests log in as an unprivileged user (root ignores file modes, so permission tests
# would pass vacuously).  Shadow '*' (not useradd's '!'): with UsePAM no, sshd refuses '!' as locked.
if ! id sftptest >/dev/null 2>&1; then
  $SUDO useradd --system --no-create-home --shell /usr/sbin/nologin sftptest
fi
if [ "$($SUDO getent shadow sftptest | cut -d: -f2)" != "*" ]; then
  $SUDO usermod -p '*' sftptest
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL" >&2
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
