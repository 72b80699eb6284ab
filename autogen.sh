#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Generates ./configure from a git checkout (release tarballs ship it).
set -e
cd "$(dirname "$0")"
autoreconf --force --install --verbose
echo "Now run ./configure, then make and make check."
