#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# PID 1 of the dmcaps test VM (User-Mode Linux, host filesystem as root).
# run.sh passes the path of a run description as the kernel parameter
# dmcaps_run=..., which the kernel hands to init as an environment variable.
# It runs each bats suite as root, writes TAP and exit codes next to the run
# description (on the host, through hostfs), and powers off. If anything
# here fails, poweroff still happens: init must never exit (a kernel panic)
# or hang (the host-side timeout would have to kill it).

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t configfs configfs /sys/kernel/config
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm 2>/dev/null
mkdir -p /dev/mapper
# devtmpfs has no /dev/fd: bash process substitution (bats) needs it.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr

run_env=${dmcaps_run:-}
if [ -z "$run_env" ] || [ ! -r "$run_env" ]; then
	echo "dmcaps-vm: no run description (dmcaps_run=$run_env)"
	busybox poweroff -f
fi
. "$run_env"

# libdevmapper must not wait for udev: there is none in the VM.
DM_DISABLE_UDEV=1
HOME=/root
LANG=C.UTF-8
export DM_DISABLE_UDEV HOME LANG DMCAPS_TOP DMCAPS_BUILD DMCAPS_PROG DMCAPS_LIBPATH \
	DMCAPS_RESULTS DMCAPS_KERNEL_TIER

echo "dmcaps-vm: guest up: $(uname -r)"
cd "$DMCAPS_TOP" || busybox poweroff -f
if [ -n "${DMCAPS_EXEC:-}" ]; then
	echo "dmcaps-vm: exec $DMCAPS_EXEC"
	timeout "${DMCAPS_EXEC_TIMEOUT:-5400}" "$DMCAPS_EXEC" \
		> "$DMCAPS_RESULTS/exec.out" 2>&1 < /dev/null
	echo $? > "$DMCAPS_RESULTS/exec.rc"
fi
for suite in $DMCAPS_SUITES; do
	name=$(basename "$suite" .bats)
	echo "dmcaps-vm: suite $name"
	t_suite=$(date +%s)
	# DMCAPS_BATS_FILTER: the tier's --filter-tags options (no spaces
	# inside a tag, so word splitting is what is wanted). --timing puts
	# each test's time on its TAP line: the CI budget is spent per test.
	# shellcheck disable=SC2086
	timeout "${DMCAPS_SUITE_TIMEOUT:-1500}" bats --tap --timing ${DMCAPS_BATS_FILTER:-} "$suite" \
		> "$DMCAPS_RESULTS/$name.tap" 2> "$DMCAPS_RESULTS/$name.err" < /dev/null
	echo $? > "$DMCAPS_RESULTS/$name.rc"
	# Wall time per suite, for the CI budget (run.sh prints it).
	echo $(($(date +%s) - t_suite)) > "$DMCAPS_RESULTS/$name.time"
	echo "dmcaps-vm: suite $name done"
done
echo "dmcaps-vm: all suites done"
sync
busybox poweroff -f
