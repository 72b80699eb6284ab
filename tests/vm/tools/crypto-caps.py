#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A raw client of device-mapper's DM_CRYPTO_CAPS ioctl (kernel-patches/dm-crypto)
# for the VM suites: no libdevmapper, no libdmcaps, so that the suites test
# the kernel's answer itself.
#
#   crypto-caps.py [--inactive] [--buffer BYTES] [--no-retry] DEVICE
#   crypto-caps.py [--buffer BYTES] --types
#   crypto-caps.py --fuzz N [--seed S] [DEVICE]
#   crypto-caps.py --drop-to UID ...: open /dev/mapper/control as root, then
#                  become UID (no capabilities) before the ioctl
#
# DEVICE is a DM name, or major:minor with --dev. Prints one line per item:
#   header version=2 flags=... total_size=N buffer_full=0|1 tries=N
#     (flags: inactive, types, kernel, fallback)
#   table AES-256-XTS=0x1000 dun_bits=32 slots=0   (or "table none")
#   queue ...                                       (as the table)
#   target I start=S length=L type=T passes=0|1 devs=MAJ:MIN,...
#   dev I target=T dev=MAJ:MIN CAPS                (CAPS as the table's)
#   type NAME passes=0|1 version=A.B.C per_instance=0|1
# Sets are printed like tests/vm/lib/emulation.bash's crypto_sysfs, modes in
# C-locale order, so that the suites can compare them with sysfs directly.
# A failing ioctl prints "errno=NAME" and exits 3.

import argparse
import ctypes
import errno
import fcntl
import mmap
import os
import random
import struct
import sys

from kabi import DM_CRYPTO_CAPS_CMD, DM_CRYPTO_CAPS_MINOR

DM_IOCTL = 0xfd
DM_IOCTL_SIZE = 312
DM_NAME_LEN = 128
DM_UUID_LEN = 129

DM_BUFFER_FULL_FLAG = 1 << 8
DM_QUERY_INACTIVE_TABLE_FLAG = 1 << 12

CAPS_INACTIVE = 1 << 0
CAPS_TARGET_TYPES = 1 << 1
CAPS_KERNEL_SUPPORT = 1 << 2
CAPS_FALLBACK = 1 << 3   # answer version 2
SET_PRESENT = 1 << 0
SET_PASSTHROUGH = 1 << 1
TARGET_PASSES = 1 << 0
TARGET_PER_INSTANCE = 1 << 1
NO_SET = 0xffffffff

HEADER = struct.Struct("<24I")
HEADER_FIELDS = ("version size flags total_size modes_offset num_modes mode_size "
                 "sets_offset num_sets set_size targets_offset num_targets target_size "
                 "devs_offset num_devs dev_size types_offset num_types type_size "
                 "table_set queue_set pad0 pad1 pad2").split()
TARGET = struct.Struct("<QQIIII16s")
DEV = struct.Struct("<QII")
TYPE = struct.Struct("<3II16s")
# version[3] data_size data_start target_count open_count flags event_nr
# padding dev name uuid
DMI = struct.Struct("<3IIIIiIIIQ128s129s")

MAP_SIZE = 4 << 20


def ioc(nr, size=DM_IOCTL_SIZE):
    return (3 << 30) | (size << 16) | (DM_IOCTL << 8) | nr


class Control:
    def __init__(self, drop_to=None):
        self.fd = os.open("/dev/mapper/control", os.O_RDWR)
        if drop_to is not None:
            # keep the open descriptor, lose root and every capability
            os.setgroups([])
            os.setresgid(drop_to, drop_to, drop_to)
            os.setresuid(drop_to, drop_to, drop_to)
        # All calls go through one mapping: a data_size up to MAP_SIZE is
        # backed by memory we own, whatever the kernel copies out.
        self.map = mmap.mmap(-1, MAP_SIZE)
        self.addr = ctypes.addressof(ctypes.c_char.from_buffer(self.map))

    def call(self, raw, nr=DM_CRYPTO_CAPS_CMD, size=DM_IOCTL_SIZE):
        """Sends raw bytes as the parameter block; returns (errno, buffer)."""
        self.map[:len(raw)] = raw
        try:
            fcntl.ioctl(self.fd, ioc(nr, size), self.addr)
        except OSError as e:
            return e.errno, None
        return 0, self.map


def dm_ioctl(data_size, flags=0, name=b"", uuid=b"", dev=0, version=(4, 0, 0),
             data_start=DM_IOCTL_SIZE):
    head = DMI.pack(version[0], version[1], version[2], data_size, data_start,
                    0, 0, flags, 0, 0, dev, name, uuid)
    return head + bytes(DM_IOCTL_SIZE - len(head))


def decode_dev(d):
    return (d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00)


def encode_dev(major, minor):
    return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)


def cstr(b):
    return b.split(b"\0", 1)[0].decode()


class Answer:
    def __init__(self, buf, data_start, data_end):
        self.buf = bytes(buf[data_start:data_end])
        if len(self.buf) < HEADER.size:
            self.h = None
            return
        self.h = dict(zip(HEADER_FIELDS, HEADER.unpack_from(self.buf)))
        h = self.h
        self.modes = []
        for i in range(h["num_modes"]):
            off = h["modes_offset"] + i * h["mode_size"]
            if off + h["mode_size"] <= len(self.buf):
                self.modes.append(cstr(self.buf[off:off + 32]))

    def fits(self, off, size):
        return off + size <= len(self.buf)

    def set(self, i):
        h = self.h
        off = h["sets_offset"] + i * h["set_size"]
        if i == NO_SET or not self.fits(off, h["set_size"]):
            return "missing"
        flags, dun, slots, _ = struct.unpack_from("<4I", self.buf, off)
        if not flags & SET_PRESENT:
            return "none"
        masks = struct.unpack_from("<%dI" % h["num_modes"], self.buf, off + 16)
        modes = sorted((self.modes[j], m) for j, m in enumerate(masks) if m)
        out = "".join("%s=%#x " % (n, m) for n, m in modes)
        out += "dun_bits=%d slots=%d" % (8 * dun, slots)
        if bool(flags & SET_PASSTHROUGH) != (slots == 0):
            out += " BAD-PASSTHROUGH-FLAG"
        return out

    def lines(self):
        h = self.h
        out = []
        devs = []
        for i in range(h["num_devs"]):
            off = h["devs_offset"] + i * h["dev_size"]
            if not self.fits(off, h["dev_size"]):
                break
            devs.append(DEV.unpack_from(self.buf, off))
        if not h["flags"] & CAPS_TARGET_TYPES:
            out.append("table " + self.set(h["table_set"]))
            out.append("queue " + self.set(h["queue_set"]))
        for i in range(h["num_targets"]):
            off = h["targets_offset"] + i * h["target_size"]
            if not self.fits(off, h["target_size"]):
                break
            start, length, flags, first, n, _, ttype = TARGET.unpack_from(self.buf, off)
            names = ",".join("%d:%d" % decode_dev(d[0]) for d in devs[first:first + n])
            out.append("target %d start=%d length=%d type=%s passes=%d devs=%s" %
                       (i, start, length, cstr(ttype), flags & TARGET_PASSES, names))
        for i, (d, target, s) in enumerate(devs):
            out.append("dev %d target=%d dev=%d:%d %s" %
                       (i, target, *decode_dev(d), self.set(s)))
        for i in range(h["num_types"]):
            off = h["types_offset"] + i * h["type_size"]
            if not self.fits(off, h["type_size"]):
                break
            v0, v1, v2, flags, name = TYPE.unpack_from(self.buf, off)
            out.append("type %s passes=%d version=%d.%d.%d per_instance=%d" %
                       (cstr(name), flags & TARGET_PASSES, v0, v1, v2,
                        bool(flags & TARGET_PER_INSTANCE)))
        return out


def query(ctl, args):
    name = dev = b""
    devnum = 0
    if args.types:
        pass
    elif args.dev:
        major, minor = args.device.split(":")
        devnum = encode_dev(int(major), int(minor))
    else:
        name = args.device.encode()
    flags = DM_QUERY_INACTIVE_TABLE_FLAG if args.inactive else 0
    size = DM_IOCTL_SIZE + args.buffer
    tries = 0
    while True:
        tries += 1
        err, buf = ctl.call(dm_ioctl(size, flags, name=name, dev=devnum))
        if err:
            print("errno=%s" % errno.errorcode.get(err, str(err)))
            return 3
        (v0, v1, v2, data_size, data_start, _, _, oflags, _, _, _, _, _) = \
            DMI.unpack_from(buf)
        full = bool(oflags & DM_BUFFER_FULL_FLAG)
        ans = Answer(buf, data_start, data_size)
        if full and not args.no_retry and tries < 8:
            if ans.h:
                size = data_start + ans.h["total_size"]
            else:
                size = data_start + 2 * max(size - data_start, 64)
            continue
        break
    if data_start != DM_IOCTL_SIZE or data_size > size:
        print("BAD data_start=%d data_size=%d" % (data_start, data_size))
        return 4
    print("interface %d.%d.%d" % (v0, v1, v2))
    if ans.h is None:
        print("header missing buffer_full=%d returned=%d tries=%d" %
              (full, data_size - data_start, tries))
        return 0
    h = ans.h
    fl = []
    for bit, n in ((CAPS_INACTIVE, "inactive"), (CAPS_TARGET_TYPES, "types"),
                   (CAPS_KERNEL_SUPPORT, "kernel"), (CAPS_FALLBACK, "fallback")):
        if h["flags"] & bit:
            fl.append(n)
    print("header version=%d size=%d flags=%s sets=%d devs=%d total_size=%d returned=%d "
          "buffer_full=%d tries=%d modes=%s" %
          (h["version"], h["size"], ",".join(fl) or "-", h["num_sets"], h["num_devs"],
           h["total_size"], data_size - data_start, full, tries, ",".join(ans.modes)))
    for line in ans.lines():
        print(line)
    return 0


def fuzz(ctl, args):
    rnd = random.Random(args.seed)
    names = [b"", args.device.encode() if args.device else b"", b"nosuchdevice"]
    errs = {}
    for _ in range(args.fuzz):
        version = rnd.choice([(4, 0, 0), (4, DM_CRYPTO_CAPS_MINOR, 0),
                              (4, DM_CRYPTO_CAPS_MINOR + 1, 0), (5, 0, 0), (0, 0, 0),
                              (4, 0xffffffff, 0),
                              (rnd.getrandbits(32), rnd.getrandbits(32), rnd.getrandbits(32))])
        data_size = rnd.choice([0, 1, 100, 311, 312, 313, 400, 407, 408, 409, 1024,
                                rnd.randrange(0, MAP_SIZE), MAP_SIZE,
                                0xffffffff, (1 << 30) + 1, 1 << 31])
        data_start = rnd.choice([0, 312, 313, data_size + 8, 0xffffffff,
                                 rnd.getrandbits(32)])
        flags = rnd.choice([0, DM_QUERY_INACTIVE_TABLE_FLAG, DM_BUFFER_FULL_FLAG,
                            rnd.getrandbits(32)])
        if rnd.random() < 0.3:
            name = bytes(rnd.randrange(1, 256) for _ in range(DM_NAME_LEN))
        else:
            name = rnd.choice(names)
        if rnd.random() < 0.2:
            uuid = bytes(rnd.randrange(1, 256) for _ in range(DM_UUID_LEN))
        else:
            uuid = b""
        dev = rnd.choice([0, 0, rnd.getrandbits(64), encode_dev(253, 0)])
        raw = bytearray(dm_ioctl(data_size & 0xffffffff, flags, name=name,
                                 uuid=uuid, dev=dev, version=version,
                                 data_start=data_start & 0xffffffff))
        # the data area: zeros, garbage, or a forged answer header
        tail = rnd.choice([b"", bytes(rnd.getrandbits(8) for _ in range(128)),
                           HEADER.pack(*(rnd.getrandbits(32) for _ in range(24)))])
        raw += tail
        size = rnd.choice([DM_IOCTL_SIZE, DM_IOCTL_SIZE, 0, rnd.randrange(0, 1 << 14)])
        err, _ = ctl.call(bytes(raw), size=size)
        errs[err] = errs.get(err, 0) + 1
    print("fuzz calls=%d %s" % (args.fuzz, " ".join(
        "%s=%d" % (errno.errorcode.get(e, "OK" if e == 0 else str(e)), n)
        for e, n in sorted(errs.items()))))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("device", nargs="?")
    p.add_argument("--dev", action="store_true", help="DEVICE is major:minor")
    p.add_argument("--inactive", action="store_true")
    p.add_argument("--types", action="store_true")
    p.add_argument("--buffer", type=int, default=16384,
                   help="bytes after struct dm_ioctl (default 16384)")
    p.add_argument("--no-retry", action="store_true")
    p.add_argument("--fuzz", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--drop-to", type=int, metavar="UID",
                   help="open the control device, then become UID")
    args = p.parse_args()
    if args.buffer < 0 or args.buffer > MAP_SIZE - DM_IOCTL_SIZE:
        p.error("--buffer out of range")
    try:
        ctl = Control(args.drop_to)
    except OSError as e:
        print("errno=%s" % errno.errorcode.get(e.errno, str(e.errno)))
        return 3
    if args.fuzz:
        return fuzz(ctl, args)
    if not args.types and not args.device:
        p.error("DEVICE or --types")
    return query(ctl, args)


if __name__ == "__main__":
    sys.exit(main())
