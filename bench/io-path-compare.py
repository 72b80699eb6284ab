#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# io-path-compare.py [--diff=0|1] --functions F,... [--off-path F,...]
#                    --objects O,... BEFORE AFTER
#
# The comparison half of bench/io-path-unchanged.sh: for each function, its
# disassembly (objdump -d -r) in the objects under BEFORE and AFTER,
# normalized so that only the function itself counts:
#  - addresses and raw bytes dropped; jumps inside the function are
#    function-relative already (<f+0x1a>);
#  - relocations against a section (.text+0x6d0, .bss+0x100) resolved to
#    the symbol that covers the offset (<alloc_tio+0x0>), string literals
#    (.rodata.str*) to the string itself, the numbers gcc appends to
#    function-local statics (__already_done.59) dropped, so that code or
#    data moved by a change elsewhere in the object does not count.
# Verdicts: identical; "WARN line numbers only" (the only differences are
# the line arguments of WARN()s, UML's generic WARN passes them as
# immediates, and they move when a patch adds lines above);
# "same instructions, constants/offsets differ" (once every number,
# immediate or displacement, is ignored: a struct field moved, say);
# DIFFERENT (an instruction added, removed or changed, or another callee);
# absent (inlined or not built, in both). Exit 1 if any function is
# DIFFERENT (or present on one side only): only then does the path gain or
# lose instructions. --off-path names functions compared and reported the
# same way but off the I/O path (key eviction, say): their rows say
# "(off the I/O path)" and they do not count in the exit status.
import argparse
import bisect
import difflib
import os
import re
import subprocess
import sys

INSN = re.compile(r"^\s*[0-9a-f]+:\s+(.*)$")
RELOC = re.compile(r"^\s*[0-9a-f]+:\s+(R_\S+)\s+(\S+)$")
HEADER = re.compile(r"^[0-9a-f]+ <(.+)>:$")
SECREF = re.compile(r"^(\.[\w.]+)([+-]0x[0-9a-f]+)?$")


class Obj:
    def __init__(self, path):
        self.path = path
        self.syms = {}      # section -> sorted [(addr, size, name)]
        self.funcs = {}     # name -> list of lines
        self.strs = {}      # section -> bytes
        self._symbols()
        self._disasm()

    def _symbols(self):
        out = subprocess.run(["objdump", "-t", self.path], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"^([0-9a-f]+)\s+(\S*)\s+(\S*)\s+(\S+)\s+([0-9a-f]+)\s+(.+)$", line)
            if not m:
                continue
            addr, _, kind, sec, size, name = m.groups()
            if kind not in ("F", "O") or sec.startswith("*"):
                continue
            self.syms.setdefault(sec, []).append((int(addr, 16), int(size, 16), name))
        for v in self.syms.values():
            v.sort()

    def _section_bytes(self, sec):
        if sec not in self.strs:
            out = subprocess.run(["objcopy", "-O", "binary", "--only-section=" + sec,
                                  self.path, "/dev/stdout"], capture_output=True)
            self.strs[sec] = out.stdout if out.returncode == 0 else b""
        return self.strs[sec]

    def resolve(self, target):
        m = SECREF.match(target)
        if not m:
            return target
        sec, off = m.group(1), int(m.group(2) or "0", 16)
        if sec.startswith(".rodata.str"):
            data = self._section_bytes(sec)
            if 0 <= off < len(data):
                end = data.find(b"\0", off)
                return "STR%r" % data[off:end if end >= 0 else len(data)]
        syms = self.syms.get(sec, [])
        i = bisect.bisect_right([s[0] for s in syms], off) - 1
        if i >= 0:
            addr, size, name = syms[i]
            if off < addr + max(size, 1) or size == 0:
                return "<%s%+#x>" % (name, off - addr)
        return target

    def _disasm(self):
        out = subprocess.run(["objdump", "-d", "-r", "--no-show-raw-insn", self.path],
                             capture_output=True, text=True, check=True).stdout
        cur = None
        for line in out.splitlines():
            h = HEADER.match(line)
            if h:
                cur = self.funcs.setdefault(h.group(1), [])
                continue
            if cur is None or not line.strip():
                continue
            r = RELOC.match(line)
            if r:
                # gcc numbers function-local statics (__already_done.59 of
                # WARN_ONCE) per object: the number is no part of the code
                target = re.sub(r"(\w)\.\d+(?=[+>-]|$)", r"\1.N",
                                self.resolve(r.group(2)))
                cur.append("reloc %s %s" % (r.group(1), target))
                continue
            i = INSN.match(line)
            if i:
                insn = re.sub(r"\s+", " ", i.group(1)).strip()
                # "jmp 1a4 <f+0x1a4>": the absolute address goes
                insn = re.sub(r"\b[0-9a-f]+ (<[^>]+>)", r"\1", insn)
                cur.append(insn)
        # The nops after a function's last instruction align the next
        # function: they move when anything before them grows, and are no
        # part of the code.
        for insns in self.funcs.values():
            while insns and PADDING.match(insns[-1]):
                insns.pop()


PADDING = re.compile(r"^((data16|cs) )*(nop[wlq]?\b.*|xchg %ax,%ax|int3)$")


def warn_lines_only(b, a):
    """Whether every differing line is the line-number argument of a WARN
    (UML's generic __WARN_printf: mov $TAINT_WARN(9),%edx; mov $LINE,%esi;
    then the file name and warn_slowpath_fmt)."""
    for i, (x, y) in enumerate(zip(b, a)):
        if x == y:
            continue
        if not (re.match(r"mov \$0x[0-9a-f]+,%esi$", x) and i > 0 and
                b[i - 1] == "mov $0x9,%edx" and
                any("warn_slowpath_fmt" in l for l in b[i:i + 6])):
            return False
    return True


def find(objs, fn):
    for o in objs:
        if fn in o.funcs:
            return o, o.funcs[fn]
    return None, None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--diff", default="0")
    p.add_argument("--functions", required=True)
    p.add_argument("--off-path", default="")
    p.add_argument("--objects", required=True)
    p.add_argument("before")
    p.add_argument("after")
    a = p.parse_args()
    objects = a.objects.split(",")
    sides = []
    for d in (a.before, a.after):
        sides.append([Obj(os.path.join(d, o)) for o in objects
                      if os.path.exists(os.path.join(d, o))])
    rc = 0
    off = [f for f in a.off_path.split(",") if f]
    print("%-30s %-24s %7s %7s  %s" % ("function", "object", "before", "after", "verdict"))
    for fn in a.functions.split(",") + off:
        differs = False
        (ob, b), (oa, af) = find(sides[0], fn), find(sides[1], fn)
        count = lambda x: "-" if x is None else str(sum(1 for l in x if not l.startswith("reloc ")))
        if b is None and af is None:
            verdict = "absent (inlined or not built)"
        elif b is None or af is None:
            verdict = "DIFFERENT (only %s)" % ("after" if b is None else "before")
            differs = True
        elif b == af:
            verdict = "identical"
        else:
            imm = lambda x: [re.sub(r"\$0x[0-9a-f]+", "$IMM", l) for l in x]
            num = lambda x: [re.sub(r"0x[0-9a-f]+", "N", l) for l in x]
            if imm(b) == imm(af) and warn_lines_only(b, af):
                verdict = "WARN line numbers only"
            elif num(b) == num(af):
                verdict = "same instructions, constants/offsets differ"
            else:
                verdict = "DIFFERENT"
                differs = True
        if fn in off:
            verdict += " (off the I/O path)"
        elif differs:
            rc = 1
        obj = (oa or ob).path.split("/", 0)[0] if (oa or ob) else "-"
        for d in (a.before, a.after):
            obj = obj.replace(d.rstrip("/") + "/", "")
        print("%-30s %-24s %7s %7s  %s" % (fn, obj, count(b), count(af), verdict))
        if a.diff == "1" and b is not None and af is not None and b != af:
            for l in difflib.unified_diff(b, af, "before", "after", lineterm="", n=1):
                print("    " + l)
    return rc


if __name__ == "__main__":
    sys.exit(main())
