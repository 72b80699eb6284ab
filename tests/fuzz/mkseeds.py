#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpora of tests/fuzz (corpus/<target>/) once; the seeds
are kept in the repository, and libFuzzer's own findings worth keeping are
added beside them by hand (a crash input becomes a regression seed)."""
import os
import struct
import sys

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
KEY = "00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def put(target, name, data):
    d = os.path.join(top, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# table lines
put("table", "linear", "0 2048 linear 8:0 0\n2048 2048 linear /dev/sdb 0\n")
put("table", "crypt", f"0 2048 crypt aes-xts-plain64 {KEY} 0 8:0 0 1 sector_size:4096\n")
put("table", "striped", "# a comment\n0 4096 striped 2 256 8:0 0 8:16 0\n")
put("table", "mixed", "0 8 zero\n8 8 error\n16 2048 flakey 8:0 0 10 5 1 drop_writes\n"
    "2064 100 raid raid1 3 0 region_size 1024 2 - 8:0 - 8:16\n")
put("table", "thin", "0 2048 thin-pool 8:0 8:16 128 0 1 skip_block_zeroing\n"
    "2048 8 thin 253:0 1 8:17\n")
put("table", "escapes", "0 8 linear /dev/disk/by-id/a\\ b 0\n\n \t 8 8 unknowntype x y z\n")

# concise
put("concise", "two-lines", "vol,LVM-x,7,rw,0 2048 linear 8:0 0,2048 2048 linear 8:16 0")
put("concise", "escapes", "new\\,dev\\;x,,,ro,0 8 linear 8:0 0;")
put("concise", "crypt", f"c,,,,0 8 crypt aes-xts-plain64 {KEY} 0 8:0 0")

# capability text
put("caps", "full", "AES-256-XTS:0x1200,Adiantum:0x1000 dun=8 keyslots=16")
put("caps", "none", "none")
put("caps", "passthrough", "AES-128-CBC-ESSIV:0x200 dun=4 keyslots=0")
put("caps", "sm4", "SM4-XTS:0xffffffff dun=32 keyslots=4294967295")

# target arguments: first byte picks the type (index into fuzz-args.c's list)
put("args", "linear", b"\x00" + b"8:0 0")
put("args", "striped", b"\x02" + b"2 256 /dev/sda 0 8:16 0")
put("args", "mirror", b"\x03" + b"disk 2 8:48 1024 2 8:0 0 8:16 0 1 handle_errors")
put("args", "crypt", b"\x06" + f"aes-xts-plain64 {KEY} 0 8:0 0 2 sector_size:4096 allow_discards".encode())
put("args", "raid", b"\x0b" + b"raid10 5 0 region_size 1024 raid10_copies 2 4 - 8:0 - 8:16 - 8:17 - 253:0")
put("args", "thin-pool", b"\x09" + b"8:0 8:16 128 0 2 skip_block_zeroing ignore_discard")
put("args", "spec", b"\x19" + b"UUID=LVM-fuzz")
put("args", "escaped", b"\x00" + b"/dev/mapper/my\\ vol 0")

# sysfs crypto directory: dun bits, keyslots, then mode/mask pairs
put("sysfs", "sda", b"64\n\x0016\n\x00AES-256-XTS\x000x1200\n")
put("sysfs", "two-modes", b"32\n\x008\n\x00Adiantum\x000x1000\n\x00SM4-XTS\x000x200\n")
put("sysfs", "no-keyslots", b"128\n\x00-\x00AES-128-CBC-ESSIV\x000x1000")

# DM_CRYPTO_CAPS replies (bytes 1-12: flags, data_start, data_size)
DMI = 312
HDR = "<" + "I" * 21 + "III"


def header(**kw):
    f = dict(version=1, size=96, flags=0, total_size=96, modes_offset=96,
             num_modes=0, mode_size=32, sets_offset=96, num_sets=0, set_size=0,
             targets_offset=96, num_targets=0, target_size=48, devs_offset=96,
             num_devs=0, dev_size=16, types_offset=96, num_types=0, type_size=32,
             table_set=0xffffffff, queue_set=0xffffffff)
    f.update(kw)
    order = ["version", "size", "flags", "total_size", "modes_offset", "num_modes",
             "mode_size", "sets_offset", "num_sets", "set_size", "targets_offset",
             "num_targets", "target_size", "devs_offset", "num_devs", "dev_size",
             "types_offset", "num_types", "type_size", "table_set", "queue_set"]
    return struct.pack(HDR, *[f[k] for k in order], 0, 0, 0)


def reply(query, flags, body):
    return bytes([query]) + struct.pack("<III", flags, DMI, DMI + len(body)) + body


modes = b"".join(m.encode().ljust(32, b"\0") for m in
                 ("AES-256-XTS", "AES-128-CBC-ESSIV", "Adiantum", "SM4-XTS"))
setsz = 16 + 16
sets = (struct.pack("<IIII4I", 3, 8, 0, 0, 0x1000, 0, 0x1000, 0) +
        struct.pack("<IIII4I", 0, 0, 0, 0, 0, 0, 0, 0) +
        struct.pack("<IIII4I", 1, 8, 16, 0, 0x1200, 0, 0x1000, 0))
targets = (struct.pack("<QQIIII", 0, 2048, 1, 0, 1, 0) + b"linear".ljust(16, b"\0") +
           struct.pack("<QQIIII", 2048, 2048, 0, 1, 1, 0) + b"crypt".ljust(16, b"\0"))
devs = struct.pack("<QII", 8 << 8, 0, 2) + struct.pack("<QII", (8 << 8) | 16, 1, 2)
off_modes = 96
off_sets = off_modes + len(modes)
off_targets = off_sets + len(sets)
off_devs = off_targets + len(targets)
total = off_devs + len(devs)
dev_hdr = header(flags=4, total_size=total, modes_offset=off_modes, num_modes=4,
                 sets_offset=off_sets, num_sets=3, set_size=setsz,
                 targets_offset=off_targets, num_targets=2, devs_offset=off_devs,
                 num_devs=2, types_offset=total, table_set=0, queue_set=1)
body = dev_hdr + modes + sets + targets + devs
put("kcaps", "device-live", reply(1, 0, body))
put("kcaps", "device-inactive", reply(3, 0, header(flags=5, total_size=total,
    modes_offset=off_modes, num_modes=4, sets_offset=off_sets, num_sets=3,
    set_size=setsz, targets_offset=off_targets, num_targets=2,
    devs_offset=off_devs, num_devs=2, types_offset=total, table_set=0,
    queue_set=1) + modes + sets + targets + devs))
put("kcaps", "buffer-full", reply(1, 1 << 8, dev_hdr))
types = (struct.pack("<IIII", 1, 4, 0, 1) + b"linear".ljust(16, b"\0") +
         struct.pack("<IIII", 1, 6, 0, 1) + b"striped".ljust(16, b"\0"))
put("kcaps", "types", reply(0, 0, header(flags=6, total_size=96 + len(types),
                                         num_types=2) + types))
put("kcaps", "wrapping-retry", reply(1, 1 << 8, header(total_size=0xffffffff - DMI + 17)))

# BLKCRYPTOEVICTKEY replies: room, the 128-byte request, failure records
ARG = "<II32sIIQIiQIIIIII4Q"


def evict(room, nr, evicted, busy, devices, records):
    arg = struct.pack(ARG, 1, 0, b"AES-256-XTS", 4096, 8, 0, 64, 0, 0, room,
                      nr, evicted, busy, devices, 0, 0, 0, 0, 0)
    return bytes([room]) + arg + b"".join(struct.pack("<IIiI", *r) for r in records)


put("evict", "clean", evict(64, 0, 2, 0, 3, []))
put("evict", "failures", evict(64, 2, 1, 1, 3, [(8, 16, -5, 0), (8, 32, -16, 0)]))
put("evict", "int-min", evict(4, 9, 0, 0, 9, [(8, 16, -2**31, 0), (8, 0, 2**31 - 1, 0)]))
sys.exit(0)
