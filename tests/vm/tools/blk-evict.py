#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A raw client of the block layer's BLKCRYPTOEVICTKEY ioctl (kernel-patches/
# dm-crypto, Documentation/block/inline-encryption.rst) for the VM suites: no
# libdmcaps, so that the suites test the kernel's answer itself.
#
#   blk-evict.py DEVICE --mode M --data-unit-size N --dun-bytes B
#                (--key-hex HEX | --key-file FILE | --key-id SERIAL)
#                [--failures N] [--repeat N] [overrides...]
#   blk-evict.py DEVICE --fuzz N [--seed S]
#   blk-evict.py --batch < REQUESTS
#
# Prints "evicted=N busy=N visited=N failures=N", then one line
# "failure MAJ:MIN errno=NAME" per failure returned. A failing ioctl prints
# "errno=NAME" and exits 3. --repeat N makes the ioctl N times; --timing
# prints the time of each call around the ioctl in microseconds ("us=T ...")
# after the result of the last; for the benchmark.
#
# The overrides build requests the kernel must refuse: --version, --flags,
# --key-size, --key-ptr (an address, "null" or "unmapped"), --key-id with a
# raw key, --reserved32, --reserved I=V, --mode-unterminated (the 32 mode
# bytes without a NUL), --failures-ptr unmapped, --arg-ptr unmapped (the
# argument itself), --arg-size N (the size encoded in the ioctl number).
# --drop-to UID opens DEVICE, then becomes UID without capabilities.
#
# --batch reads one request per line of stdin, "DEVICE [options...]" in the
# syntax above (shell quoting), and answers each with its output and then a
# line "status=N" (N the exit status it would have had alone): a suite makes
# dozens of requests for one start of Python, which costs a second in the VM.
#
# --fuzz N makes N malformed calls (random sizes, flags, versions, reserved
# fields, mode bytes, key sizes and pointers that are NULL, unmapped or
# ours) and prints how many ended with each errno; exits 1 if one succeeded
# with an output the kernel should never give.

import argparse
import ctypes
import errno
import fcntl
import os
import random
import shlex
import struct
import sys
import time

from kabi import BLKCRYPTOEVICTKEY_NR

ARG = struct.Struct("<II32sIIQIiQIIIIII4Q")
ARG_SIZE = ARG.size
FAILURE = struct.Struct("<IIiI")
VERSION = 1
FLAG_KEYRING = 1 << 0
MODE_LEN = 32
OUT_FIELDS = slice(10, 14)  # nr_failures slots_evicted slots_busy devices_visited

UNMAPPED = 8  # an address no process has mapped (below mmap_min_addr)


def ioc_evict(size=ARG_SIZE):
    return (3 << 30) | (size << 16) | (0x12 << 8) | BLKCRYPTOEVICTKEY_NR


def errname(e):
    # ENOTSUP and EOPNOTSUPP are one number on Linux; the kernel says the latter
    if e == errno.EOPNOTSUPP:
        return "EOPNOTSUPP"
    return errno.errorcode.get(e, str(e))


def address(spec, buf):
    if spec is None:
        return ctypes.addressof(buf) if buf is not None else 0
    if spec == "null":
        return 0
    if spec == "unmapped":
        return UNMAPPED
    return int(spec, 0)


class Request:
    def __init__(self, mode, dus, dun, key=None, key_id=0, flags=0):
        self.version = VERSION
        self.flags = flags
        self.mode = mode.encode() if isinstance(mode, str) else mode
        self.dus = dus
        self.dun = dun
        self.key = key
        self.key_buf = (ctypes.create_string_buffer(bytes(key), len(key))
                        if key is not None else None)
        self.key_ptr = ctypes.addressof(self.key_buf) if self.key_buf else 0
        self.key_size = len(key) if key is not None else 0
        self.key_id = key_id
        self.failures_len = 0
        self.fail_buf = None
        self.failures_ptr = 0
        self.reserved32 = 0
        self.reserved = [0, 0, 0, 0]

    def want_failures(self, n):
        self.failures_len = n
        if n:
            self.fail_buf = ctypes.create_string_buffer(n * FAILURE.size)
            self.failures_ptr = ctypes.addressof(self.fail_buf)

    def pack(self):
        return bytearray(ARG.pack(
            self.version, self.flags, self.mode, self.dus, self.dun,
            self.key_ptr, self.key_size, self.key_id, self.failures_ptr,
            self.failures_len, 0, 0, 0, 0, self.reserved32, *self.reserved))

    def failures(self, n):
        n = min(n, self.failures_len)
        return [FAILURE.unpack_from(self.fail_buf, i * FAILURE.size)
                for i in range(n)]


def call(fd, buf, size=ARG_SIZE, arg_ptr=None):
    """The ioctl; returns (0 or errno, output fields)."""
    try:
        if arg_ptr is not None:
            fcntl.ioctl(fd, ioc_evict(size), arg_ptr)
        else:
            fcntl.ioctl(fd, ioc_evict(size), buf, True)
    except OSError as e:
        return e.errno, None
    return 0, ARG.unpack(bytes(buf[:ARG_SIZE]))[OUT_FIELDS]


def read_key(args):
    if args.key_hex is not None:
        return bytes.fromhex(args.key_hex)
    if args.key_file is not None:
        with open(args.key_file, "rb") as f:
            return f.read()
    return None


def main_request(fd, args):
    key = read_key(args)
    flags = FLAG_KEYRING if args.key_id is not None and key is None else 0
    req = Request(args.mode, args.data_unit_size, args.dun_bytes, key,
                  args.key_id or 0, flags)
    req.want_failures(args.failures)
    if args.version is not None:
        req.version = args.version
    if args.flags is not None:
        req.flags = args.flags
    if args.key_size is not None:
        req.key_size = args.key_size
    if args.key_ptr is not None:
        req.key_ptr = address(args.key_ptr, req.key_buf)
    if args.reserved32 is not None:
        req.reserved32 = args.reserved32
    for r in args.reserved:
        i, v = r.split("=")
        req.reserved[int(i)] = int(v, 0)
    if args.mode_unterminated:
        req.mode = (req.mode + b"X" * MODE_LEN)[:MODE_LEN]
    if args.failures_ptr is not None:
        req.failures_ptr = address(args.failures_ptr, req.fail_buf)
        req.failures_len = max(req.failures_len, 1)
    arg_ptr = UNMAPPED if args.arg_ptr == "unmapped" else None

    times = []
    for _ in range(args.repeat):
        buf = req.pack()
        t0 = time.perf_counter_ns()
        err, out = call(fd, buf, args.arg_size or ARG_SIZE, arg_ptr)
        times.append((time.perf_counter_ns() - t0) // 1000)
        if err:
            print("errno=" + errname(err))
            return 3
    nr_failures, evicted, busy, visited = out
    print(f"evicted={evicted} busy={busy} visited={visited} "
          f"failures={nr_failures}")
    for major, minor, error, _ in req.failures(nr_failures):
        print(f"failure {major}:{minor} errno={errname(-error)}")
    if args.timing:
        print(" ".join(f"us={t}" for t in times))
    return 0


def fuzz(fd, n, seed):
    rnd = random.Random(seed)
    mine = ctypes.create_string_buffer(256)
    counts = {}
    bad = 0
    modes = [b"AES-256-XTS", b"Adiantum", b"SM4-XTS", b"AES-128-CBC-ESSIV",
             b"aes-256-xts", b""]
    for _ in range(n):
        size = ARG_SIZE if rnd.random() < 0.8 else rnd.randrange(0, 512)
        mode = rnd.choice(modes)
        if rnd.random() < 0.2:
            mode = bytes(rnd.randrange(1, 256) for _ in range(MODE_LEN))
        ptrs = [0, UNMAPPED, ctypes.addressof(mine),
                0xffff800000000000, (1 << 64) - 1]
        fail_ptr = rnd.choice(ptrs)
        fields = [
            rnd.choice([VERSION] * 6 + [0, 2, rnd.getrandbits(32)]),
            rnd.choice([0, FLAG_KEYRING] * 3 + [rnd.getrandbits(32)]),
            mode,
            rnd.choice([512, 4096, 0, 3, 1, rnd.getrandbits(32)]),
            rnd.choice([8, 16, 0, 33, rnd.getrandbits(32)]),
            rnd.choice(ptrs),
            rnd.choice([16, 32, 64, 0, 65, rnd.getrandbits(32)]),
            rnd.choice([0, 0, -1, 1, rnd.getrandbits(31)]),
            fail_ptr,
            rnd.choice([0, 1, 16]) if fail_ptr == ctypes.addressof(mine)
            else rnd.choice([0, 1, 16, rnd.getrandbits(32)]),
            rnd.getrandbits(32) if rnd.random() < 0.1 else 0,
            0, 0, 0,
            rnd.getrandbits(32) if rnd.random() < 0.1 else 0,
        ] + [rnd.getrandbits(64) if rnd.random() < 0.05 else 0
             for _ in range(4)]
        buf = bytearray(ARG.pack(*fields))
        buf += bytes(max(0, size - len(buf)))
        err, out = call(fd, buf, size)
        name = errname(err) if err else "OK"
        counts[name] = counts.get(name, 0) + 1
        # A call the kernel accepted must have been a valid request.
        terminated = len(mode) < MODE_LEN or b"\0" in mode
        if not err and (fields[0] != VERSION or fields[1] & ~FLAG_KEYRING or
                        fields[14] or any(fields[15:]) or not terminated):
            bad += 1
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 1 if bad else 0


def batch(parser):
    for line in sys.stdin:
        words = shlex.split(line)
        if not words:
            continue
        try:
            args = parser.parse_args(words)
        except SystemExit as e:
            print(f"status={e.code}", flush=True)
            continue
        if (args.device is None or args.batch or args.fuzz is not None or
                args.drop_to is not None):
            print("a batch request is DEVICE and request options only")
            print("status=2", flush=True)
            continue
        fd = os.open(args.device, os.O_RDONLY)
        try:
            rc = main_request(fd, args)
        finally:
            os.close(fd)
        print(f"status={rc}", flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description="BLKCRYPTOEVICTKEY client")
    p.add_argument("device", nargs="?")
    p.add_argument("--batch", action="store_true")
    p.add_argument("--mode", default="AES-256-XTS")
    p.add_argument("--data-unit-size", type=int, default=4096)
    p.add_argument("--dun-bytes", type=int, default=8)
    p.add_argument("--key-hex")
    p.add_argument("--key-file")
    p.add_argument("--key-id", type=lambda s: int(s, 0))
    p.add_argument("--failures", type=int, default=16)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--timing", action="store_true")
    p.add_argument("--version", type=lambda s: int(s, 0))
    p.add_argument("--flags", type=lambda s: int(s, 0))
    p.add_argument("--key-size", type=int)
    p.add_argument("--key-ptr")
    p.add_argument("--reserved32", type=lambda s: int(s, 0))
    p.add_argument("--reserved", action="append", default=[])
    p.add_argument("--mode-unterminated", action="store_true")
    p.add_argument("--failures-ptr")
    p.add_argument("--arg-ptr", choices=["unmapped"])
    p.add_argument("--arg-size", type=int)
    p.add_argument("--drop-to", type=int)
    p.add_argument("--fuzz", type=int)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.batch:
        return batch(p)
    if args.device is None:
        p.error("DEVICE is required")

    fd = os.open(args.device, os.O_RDONLY)
    if args.drop_to is not None:
        os.setgroups([])
        os.setresgid(args.drop_to, args.drop_to, args.drop_to)
        os.setresuid(args.drop_to, args.drop_to, args.drop_to)
    if args.fuzz is not None:
        return fuzz(fd, args.fuzz, args.seed)
    return main_request(fd, args)


if __name__ == "__main__":
    sys.exit(main())
