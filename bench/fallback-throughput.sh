#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Throughput of fscrypt (ext4, v2 policy, AES-256-XTS, mounted inlinecrypt)
# over a mixed stack, a dm-linear device of 1 MiB chunks taken in turn from
# an emulated inline-crypto null_blk device and a plain one (the file lies
# on both), with blk-crypto-fallback above DM (today, dm/crypto_fallback 0:
# the DM device exposes nothing, the fallback encrypts every block) against
# per-device fallback (kernel-patches/dm-crypto 0023-0024, dm/crypto_fallback
# 1: the emulated device encrypts its blocks, the fallback at the plain
# device the others). Sequential 1 MiB writes (an in-place overwrite of the
# whole file, O_DIRECT, fsync at the end) and reads (O_DIRECT), so that
# every byte reaches the devices: no page cache in either direction.
#
# null_blk's emulation en/decrypts in software, with the same kernel crypto
# as the fallback: in this VM per-device fallback moves work, it does not
# remove it. To account for it the bench also runs, in the same rounds,
# (c) the same layout over two emulated devices (every block en/decrypted
# by the emulation, in requests of the same sizes as (b)'s) and (d) an
# unencrypted file on the mixed stack (no crypto at all); (c) - (d) is the
# emulation's cost per data unit, which real inline encryption hardware
# does at line rate. Every round runs each of the four
# once, in an order rotated round by round, on four separate stacks that
# exist side by side (the switch is per device and is set before the first
# load: a device cannot go back, a narrowing reload is refused).
#
# Prints the raw times per round, then per configuration the median, min
# and max throughput, the ratio of (b) to (a) (of the medians, and the
# median of the per-round ratios), the share of the file the emulated device
# en/decrypted (its counters), and (b) with the emulation's cost taken out.
# Runs as root in the test VM:
#   tests/vm/run.sh --kernel LINUX --kernel-tier patched --build BUILD \
#           --exec bench/fallback-throughput.sh
# BENCH_MB (file size, 64) and BENCH_ROUNDS (9) change the sizes (edit the
# defaults: run.sh does not pass them into the VM).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/lib/emulation.bash"
. "$top/tests/vm/lib/fscrypt.bash"
mb=${BENCH_MB:-64}
rounds=${BENCH_ROUNDS:-9}
raw=/tmp/dmcaps-bench-fallback.tsv
legs=$((mb + 32))	# MiB per leg: two files' halves on sa, the marker, ext4's own

die() { echo "fallback-throughput: $*" >&2; exit 1; }

# The stacks, side by side (each with its own devices and ext4):
#   sa  hwA + plainA, switch 0: (a), and (d) in an unencrypted directory
#   sb  hwB + plainB, switch 1: (b)
#   sc  hwC + hwD, both emulated: (c)
MNT_A=/tmp/dmcaps-mnt-bench-a MNT_B=/tmp/dmcaps-mnt-bench-b MNT_C=/tmp/dmcaps-mnt-bench-c
declare -A file hw hw2 leg1 leg2 name
file=([a]=$MNT_A/secret/bench [b]=$MNT_B/secret/bench [c]=$MNT_C/secret/bench [d]=$MNT_A/clear/bench)
hw=([a]=hwA [b]=hwB [c]=hwC [d]=hwA)
hw2=([a]="" [b]="" [c]=hwD [d]="")
leg1=([a]=hwA [b]=hwB [c]=hwC [d]=hwA)
leg2=([a]=plainA [b]=plainB [c]=hwD [d]=plainA)
name=([a]="(a) fallback above DM (switch off)" [b]="(b) per-device fallback (switch on)"
      [c]="(c) both legs emulated" [d]="(d) no encryption, mixed stack")

vm_cleanup
trap vm_cleanup EXIT
nb_create hwA "$legs" "AES-256-XTS=4096" 8 8
nb_create plainA "$legs" ""
nb_create hwB "$legs" "AES-256-XTS=4096" 8 8
nb_create plainB "$legs" ""
nb_create hwC "$legs" "AES-256-XTS=4096" 8 8
nb_create hwD "$legs" "AES-256-XTS=4096" 8 8
LINEAR_CHUNKS=$legs linear_interleaved sa hwA plainA
LINEAR_CHUNKS=$legs linear_interleaved sb hwB plainB
LINEAR_CHUNKS=$legs linear_interleaved sc hwC hwD
dm_fallback_on sb || die "no dm/crypto_fallback in this kernel (patched tier needed)"
[ "$(exposed sa 2>/dev/null)" = none ] || die "sa exposes $(exposed sa)"
[ "$(exposed sb 2>/dev/null)" != none ] || die "sb exposes nothing with the switch on"
[ "$(exposed sc 2>/dev/null)" != none ] || die "sc exposes nothing"

# ext4 with its inode tables and journal written at mkfs, not by
# ext4lazyinit in the background during the rounds
export FSCRYPT_MKFS_OPTS="-E lazy_itable_init=0,lazy_journal_init=0"
fscrypt_setup "$MNT_A" /dev/mapper/sa > /dev/null
mkdir "$MNT_A/clear"
fscrypt_setup "$MNT_B" /dev/mapper/sb > /dev/null
fscrypt_setup "$MNT_C" /dev/mapper/sc > /dev/null

# sectors DEV FIELD: /sys/block/DEV/stat's sectors read (3) or written (7)
sectors() { awk -v f="$2" '{ print $f }' "/sys/block/$1/stat"; }
# emu CFG COUNTER: the data units CFG's emulated devices en/decrypted
emu() {
	local n
	n=$(nb_counter "${hw[$1]}" "$2")
	[ -z "${hw2[$1]}" ] || n=$((n + $(nb_counter "${hw2[$1]}" "$2")))
	echo "$n"
}
now_ns() { date +%s%N; }

# one CFG OP ROUND: times OP (write or read) of CFG's file; prints a raw
# line: round, cfg, op, ms, data units the emulated devices en/decrypted,
# MiB that reached each leg (rounded)
one() {
	local c=$1 op=$2 r=$3 f=${file[$1]} ctr fld t0 t1 u0 s10 s20
	if [ "$op" = write ]; then ctr=data_units_encrypted fld=7; else ctr=data_units_decrypted fld=3; fi
	u0=$(emu "$c" "$ctr")
	s10=$(sectors "${leg1[$c]}" "$fld") s20=$(sectors "${leg2[$c]}" "$fld")
	t0=$(now_ns)
	if [ "$op" = write ]; then
		dd if=/dev/zero of="$f" bs=1M count="$mb" oflag=direct conv=notrunc,fsync status=none
	else
		dd if="$f" of=/dev/null bs=1M iflag=direct status=none
	fi
	t1=$(now_ns)
	printf '%s\t%s\t%s\t%d\t%d\t%d\t%d\n' "$r" "$c" "$op" $(((t1 - t0) / 1000000)) \
		$(($(emu "$c" "$ctr") - u0)) \
		$((($(sectors "${leg1[$c]}" "$fld") - s10 + 1024) / 2048)) \
		$((($(sectors "${leg2[$c]}" "$fld") - s20 + 1024) / 2048))
}

# the files, written once (allocation), then overwritten in place
for c in a b c d; do
	dd if=/dev/zero of="${file[$c]}" bs=1M count="$mb" oflag=direct conv=fsync status=none
done
sync
echo 3 > /proc/sys/vm/drop_caches

echo "file ${mb} MiB, ${rounds} rounds (+1 warm-up, not counted), 1 MiB O_DIRECT writes (fsync) and reads"
printf 'round\tcfg\top\tms\temu_units\tleg1_MiB\tleg2_MiB\n' | tee "$raw"
order=(a b c d)
for ((r = 0; r <= rounds; r++)); do
	for ((k = 0; k < 4; k++)); do
		c=${order[$(((k + r) % 4))]}
		one "$c" write "$r"
		one "$c" read "$r"
	done
done | tee -a "$raw"

# every read and write reached the devices (no page cache): the MiB on the
# legs add up to the file
awk -F'\t' -v mb="$mb" 'NR > 1 && $6 + $7 < mb - 1 {
	print "fallback-throughput: round " $1 " " $2 " " $3 ": only " $6 + $7 " MiB reached the devices" > "/dev/stderr"; bad = 1 }
	END { exit bad }' "$raw" || die "I/O did not reach the devices"

for c in a b c d; do
	echo "${name[$c]}"
done > /tmp/dmcaps-bench-names
python3 - "$raw" "$mb" /tmp/dmcaps-bench-names <<'PY'
import statistics as st, sys
raw, mb, names = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read().splitlines()
rows = [l.rstrip('\n').split('\t') for l in open(raw)][1:]
units = mb * 256                      # 4 KiB data units in the file
t = {}                                # (cfg, op) -> {round: (ms, emu, l1, l2)}
for r, c, op, ms, emu, l1, l2 in rows:
    if int(r) == 0:
        continue                      # warm-up
    t.setdefault((c, op), {})[int(r)] = (int(ms), int(emu), int(l1), int(l2))
rounds = sorted(t[('a', 'write')])
def mibs(ms): return mb / (ms / 1000.0)
print()
print("%-34s %-20s %-20s %s" % ("", "write MiB/s", "read MiB/s", "by the emulation (w / r);"))
print("%-34s %-20s %-20s %s" % ("configuration", "median (min-max)", "median (min-max)", "MiB on legs 1+2 (w / r)"))
for i, c in enumerate("abcd"):
    cells = []
    for op in ("write", "read"):
        v = [mibs(t[(c, op)][r][0]) for r in rounds]
        cells.append("%5.1f (%.1f-%.1f)" % (st.median(v), min(v), max(v)))
    w, rd = t[(c, 'write')][rounds[0]], t[(c, 'read')][rounds[0]]
    share = "%3.0f%% / %3.0f%%; %d+%d / %d+%d" % (100.0 * w[1] / units, 100.0 * rd[1] / units,
                                            w[2], w[3], rd[2], rd[3])
    print("%-34s %-20s %-20s %s" % (names[i], cells[0], cells[1], share))
print()
for op in ("write", "read"):
    ms = {c: [t[(c, op)][r][0] for r in rounds] for c in "abcd"}
    med = {c: st.median(ms[c]) for c in "abcd"}
    pr = [ms['a'][k] / ms['b'][k] for k in range(len(rounds))]
    # the emulation's cost per data unit: (c) - (d), all of (c)'s units by it
    emu = [max(0.0, ms['c'][k] - ms['d'][k]) / units for k in range(len(rounds))]
    fb = [max(0.0, ms['a'][k] - ms['d'][k]) / units for k in range(len(rounds))]
    share_b = st.median([t[('b', op)][r][1] for r in rounds])
    # from the medians: a single noisy round can make a per-round
    # difference of differences meaningless (even negative)
    free = med['b'] - share_b * max(0.0, med['c'] - med['d']) / units
    print("%s: (b)/(a) throughput %.2f (medians), per-round %.2f (%.2f-%.2f)" %
          (op, med['a'] / med['b'], st.median(pr), min(pr), max(pr)))
    print("  software crypto per MiB: fallback (a)-(d) %.1f ms, emulation (c)-(d) %.1f ms; "
          "(d) alone %.1f ms/MiB" % (st.median(fb) * 256, st.median(emu) * 256, med['d'] / mb))
    if free > 0:
        print("  (b) with the emulation's %d data units free (as in hardware): %.1f MiB/s, "
              "(b)/(a) %.2f" % (share_b, mibs(free), med['a'] / free))
    else:
        print("  (b) with the emulation free: cannot tell (the medians are too noisy)")
PY
