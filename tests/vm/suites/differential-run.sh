#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs the differential test (differential.bats) in the VM with more cases
# or another seed. run.sh passes no environment into the guest, so the
# values are baked into a one-off --exec script:
#   tests/vm/suites/differential-run.sh BUILD [CASES [SEED]]
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD [CASES [SEED]]" >&2; exit 1; }
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(realpath "$1")
cases=${2:-1000}
seed=${3:-20261126}
case "$cases$seed" in *[!0-9]*) echo "CASES and SEED are numbers" >&2; exit 1 ;; esac
script=$(mktemp /var/tmp/dmcaps-diff.XXXXXX)
trap 'rm -f "$script"' EXIT
cat > "$script" <<EOS
#!/bin/bash
export DMCAPS_BUILD='$build' DMCAPS_DIFF_CASES=$cases DMCAPS_DIFF_SEED=$seed
exec bats --tap '$top/tests/vm/suites/differential.bats'
EOS
chmod 755 "$script"
DMCAPS_VM_TIMEOUT=${DMCAPS_VM_TIMEOUT:-7200} "$top/tests/vm/run.sh" --build "$build" --exec "$script"
