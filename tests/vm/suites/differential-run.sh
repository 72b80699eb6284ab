#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs the differential test (differential.bats) in the VM with more cases
# or another seed, on any kernel tests/vm/run.sh can boot:
#   tests/vm/suites/differential-run.sh [--kernel-tier TIER | --kernel LINUX]
#                                       BUILD [CASES [SEED]]
# The kernel options are run.sh's (same names, same defaults: the patched
# tier). run.sh passes no environment into the guest, so CASES and SEED are
# baked into a one-off --exec script.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
kernel_opts=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel|--kernel-tier) kernel_opts+=("$1" "$2"); shift 2 ;;
	-*) echo "unknown option $1" >&2; exit 1 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || {
	echo "usage: $0 [--kernel-tier TIER | --kernel LINUX] BUILD [CASES [SEED]]" >&2
	exit 1
}
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
DMCAPS_VM_TIMEOUT=${DMCAPS_VM_TIMEOUT:-7200} "$top/tests/vm/run.sh" "${kernel_opts[@]}" \
	--build "$build" --exec "$script"
