#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Issue 14's table in one boot of the test VM: dmcaps against what a user
runs instead, at 10, 100, 1,000 and 3,000 dm-linear devices over four
emulated inline-crypto disks.

Every command is the real binary (src/.libs/dmcaps with the build's
library, never libtool's wrapper script), run by this one process with
output to /dev/null; the compared commands are interleaved round by round
(one run of each per round), so that a load change hits all of them alike.
Per command: the median wall time, the spread (min and max), the median
CPU time (user + system, from wait4) and the peak RSS; then the ratios of
the medians. Runs as root in the VM (bench/scale.sh starts it):

  tests/vm/run.sh --build BUILD --exec bench/scale-guest.py

Writes BENCH_OUT/scale.tsv (the plot's data) and prints the tables.
"""
import os
import statistics
import subprocess
import sys

BUILD = os.environ["DMCAPS_BUILD"]
OUT = os.environ.get("BENCH_OUT", os.path.join(BUILD, "bench"))
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10 100 1000 3000").split()]
BASE = 4                       # emulated disks under the DM devices
DMCAPS = os.path.join(BUILD, "src", ".libs", "dmcaps")
# dmcaps runs as installed: its library preloaded by path, which the dynamic
# linker then takes for the binary's libdmcaps.so.0 without a search. With
# LD_PRELOAD's alternative, LD_LIBRARY_PATH, every other library is first
# looked for in that directory (about 34 failed opens per run); the other
# commands run in the unchanged environment.
DMCAPS_ENV = dict(os.environ,
                  LD_PRELOAD=os.path.join(BUILD, "lib", ".libs", "libdmcaps.so.0"))


def rounds_for(n):
    return int(os.environ.get("BENCH_ROUNDS", 0)) or (15 if n <= 100 else 7 if n <= 1000 else 5)


SPAWN = os.path.join(BUILD, "bench", "spawn-usage")


def run_once(argv):
    """Wall seconds, CPU seconds and peak RSS (KiB) of one run, measured by
    bench/spawn-usage.c (a child of this interpreter would report at least
    the interpreter's own RSS)."""
    env = DMCAPS_ENV if argv[0] == DMCAPS else os.environ
    out = subprocess.run([SPAWN] + argv, env=env, check=True,
                         capture_output=True, text=True).stdout
    f = dict(kv.split("=") for kv in out.split())
    return (int(f["wall_us"]) / 1e6, int(f["cpu_us"]) / 1e6,
            int(f["maxrss_kib"]), int(f["status"]))


def measure(cmds, rounds):
    """cmds: {label: argv}; interleaved rounds. {label: dict of figures}."""
    runs = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, argv in cmds.items():
            runs[k].append(run_once(argv))
    res = {}
    for k, r in runs.items():
        walls = [x[0] for x in r]
        res[k] = {
            "wall": statistics.median(walls),
            "min": min(walls),
            "max": max(walls),
            "cpu": statistics.median(x[1] for x in r),
            "rss": max(x[2] for x in r),
            "rc": sorted({x[3] for x in r}),
        }
    return res


def sh(cmd, **kw):
    # bash: tests/vm/lib/emulation.bash is bash, not sh
    return subprocess.run(cmd, shell=True, check=True, executable="/bin/bash", **kw)


def emulation(fn, *args):
    """A function of tests/vm/lib/emulation.bash."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sh(f'. {top}/tests/vm/lib/emulation.bash && {fn} ' + " ".join(args))


def make_dm(upto, have):
    """dm-linear l<have>..l<upto-1>, 8 sectors each on the disks in turn,
    created by dmsetup --concise in batches (one process per batch)."""
    batch = []
    for i in range(have, upto):
        batch.append(f"l{i},,,,0 8 linear /dev/b{i % BASE} {(i // BASE) * 8}")
        if len(batch) == 200 or i == upto - 1:
            sh("dmsetup create --concise " + "'" + ";".join(batch) + "'")
            batch = []


def table(title, res, pairs, n):
    print(f"\n{title}")
    print(f"{'command':<28} {'median ms':>10} {'min':>9} {'max':>9} {'cpu ms':>9} {'rss KiB':>8}")
    for k, v in res.items():
        bad = "" if v["rc"] == [0] else f"  exit {v['rc']}"
        print(f"{k:<28} {v['wall']*1e3:10.2f} {v['min']*1e3:9.2f} {v['max']*1e3:9.2f} "
              f"{v['cpu']*1e3:9.2f} {v['rss']:8d}{bad}")
    for a, b, what in pairs:
        fig = res[a][what] / res[b][what] if res[b][what] else float("nan")
        print(f"ratio {what:<4} {a} / {b}: {fig:.2f}")


def main():
    os.makedirs(OUT, exist_ok=True)
    if not os.access(DMCAPS, os.X_OK):
        sys.exit(f"{DMCAPS} missing: configure and build BUILD first")
    emulation("vm_cleanup")
    for i in range(BASE):
        # 8 MiB each: room for 3,000 8-sector devices
        emulation("nb_create", f"b{i}", "8", '"AES-256-XTS=512,4096 Adiantum=4096"', "8", "4")
    tsv = open(os.path.join(OUT, "scale.tsv"), "w")
    tsv.write("# devices\tcommand\tmedian_ms\tmin_ms\tmax_ms\tcpu_ms\trss_kib\n")
    have = 0
    for n in SIZES:
        make_dm(n, have)
        have = n
        dev = f"l{n // 2}"
        cmds = {
            # the floor: what starting any program costs in this VM
            "true": ["/bin/true"],
            "dmcaps show": [DMCAPS, "show"],
            "dmsetup ls --tree": ["dmsetup", "ls", "--tree"],
            "lsblk": ["lsblk"],
            "dmcaps show DEV": [DMCAPS, "show", dev],
            "dmsetup table DEV": ["dmsetup", "table", dev],
            "dmcaps show DISK": [DMCAPS, "show", "/dev/b0"],
        }
        res = measure(cmds, rounds_for(n))
        table(f"{n} DM devices over {BASE} emulated disks, {rounds_for(n)} interleaved rounds",
              res, [("dmcaps show", "dmsetup ls --tree", "wall"),
                    ("dmcaps show", "lsblk", "wall"),
                    ("dmcaps show", "lsblk", "rss"),
                    ("dmcaps show DEV", "dmsetup table DEV", "wall")], n)
        for k, v in res.items():
            tsv.write(f"{n}\t{k}\t{v['wall']*1e3:.3f}\t{v['min']*1e3:.3f}\t"
                      f"{v['max']*1e3:.3f}\t{v['cpu']*1e3:.3f}\t{v['rss']}\n")
        tsv.flush()
        if n == 1000 or n == SIZES[-1] and 1000 not in SIZES:
            c = res["dmcaps show DISK"]["cpu"] * 1e3
            d = res["dmcaps show DEV"]["cpu"] * 1e3
            z = res["true"]["cpu"] * 1e3
            print(f"boot-time check: dmcaps show of one disk with {n + BASE} other "
                  f"block devices: {c:.1f} ms CPU (median); of one DM device: {d:.1f} ms CPU "
                  f"(goal: under 50 ms); /bin/true: {z:.1f} ms CPU (starting a "
                  f"program in this VM)")
    tsv.close()
    sh("dmsetup remove_all")

    # check of a 10,000-line table over 64 devices against dmsetup load of it
    lines, ndevs = 10000, 64
    emulation("vm_cleanup")
    for i in range(ndevs):
        emulation("nb_create", f"c{i}", "8", '"AES-256-XTS=512,4096 Adiantum=4096"', "8", "4")
    path = os.path.join(OUT, "check.table")
    with open(path, "w") as f:
        for i in range(lines):
            f.write(f"{i * 8} 8 linear /dev/c{i % ndevs} {(i // ndevs) * 8}\n")
    sh("dmsetup create bench --notable")
    cmds = {
        "dmcaps check": [DMCAPS, "check", "bench", path],
        "dmsetup load": ["sh", "-c", f"dmsetup load bench {path} && dmsetup clear bench"],
        "dmsetup clear": ["dmsetup", "clear", "bench"],
    }
    res = measure(cmds, int(os.environ.get("BENCH_ROUNDS", 0)) or 7)
    table(f"check of a {lines}-line table over {ndevs} devices", res,
          [("dmcaps check", "dmsetup load", "wall")], 0)
    print("(dmsetup load is timed with the clear that undoes it; the clear alone is "
          "the row below it: subtract it for load alone)")
    sh("dmsetup remove bench")
    # DM_CRYPTO_CAPS against DM_TABLE_STATUS of one device of 10,000 linear
    # targets, the raw ioctls interleaved by bench/ioctl-latency.c
    probe = os.path.join(BUILD, "bench", "ioctl-latency")
    if os.access(probe, os.X_OK):
        with open(path, "w") as f:
            # c0 holds 16,384 sectors: the targets map its first 2,000
            # chunks over and over (linear allows it)
            for i in range(lines):
                f.write(f"{i * 8} 8 linear /dev/c0 {(i % 2000) * 8}\n")
        sh(f"dmsetup create bench < {path}")
        out = subprocess.run([probe, "bench", os.environ.get("BENCH_ITERS", "300")],
                             check=True, capture_output=True, text=True).stdout
        sh("dmsetup remove bench")
        f = dict(kv.split("=") for kv in out.split())
        print(f"\nDM_CRYPTO_CAPS / DM_TABLE_STATUS at {f['targets']} targets: "
              f"{float(f['caps_us']):.1f} us / {float(f['status_us']):.1f} us = "
              f"{float(f['caps_us']) / float(f['status_us']):.2f}; "
              f"/ DM_TABLE_STATUS with the table ({float(f['table_us']):.1f} us) = "
              f"{float(f['caps_us']) / float(f['table_us']):.2f}")
    else:
        print(f"\nno {probe}: DM_CRYPTO_CAPS against DM_TABLE_STATUS not measured "
              "(bench/scale.sh compiles it)")
    emulation("vm_cleanup")


if __name__ == "__main__":
    main()
