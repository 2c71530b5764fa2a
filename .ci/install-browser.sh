#!/bin/sh
# Debian's Chromium for the gallery's browser test (test/e2e/gallery-browser.test.ts, issue 16).
# Idempotent: does nothing when /usr/bin/chromium is already there. Waits for a dpkg lock held
# by another install instead of failing at once.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
