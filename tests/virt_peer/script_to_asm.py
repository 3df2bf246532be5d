#!/usr/bin/env python3
"""Turn a register script (README.md) into an A64 probe for QEMU's -M virt.

Each read prints its value in hex on the PL011, one line each; the probe
ends with a semihosting SYS_EXIT (ADP_Stopped_ApplicationExit, status 0).
Interrupts stay masked (PSTATE.DAIF is set at reset), so pending
interrupts are only ever observed through the registers.

usage: script_to_asm.py SCRIPT OUT.S
"""
import sys

SYSREGS = {
    "ICC_IAR0_EL1": "S3_0_C12_C8_0", "ICC_EOIR0_EL1": "S3_0_C12_C8_1",
    "ICC_HPPIR0_EL1": "S3_0_C12_C8_2", "ICC_BPR0_EL1": "S3_0_C12_C8_3",
    "ICC_IAR1_EL1": "S3_0_C12_C12_0", "ICC_EOIR1_EL1": "S3_0_C12_C12_1",
    "ICC_HPPIR1_EL1": "S3_0_C12_C12_2", "ICC_BPR1_EL1": "S3_0_C12_C12_3",
    "ICC_CTLR_EL1": "S3_0_C12_C12_4", "ICC_SRE_EL1": "S3_0_C12_C12_5",
    "ICC_IGRPEN0_EL1": "S3_0_C12_C12_6", "ICC_IGRPEN1_EL1": "S3_0_C12_C12_7",
    "ICC_PMR_EL1": "S3_0_C4_C6_0", "ICC_RPR_EL1": "S3_0_C12_C11_3",
    "ICC_DIR_EL1": "S3_0_C12_C11_1", "ICC_SGI1R_EL1": "S3_0_C12_C11_5",
    "CNTP_CTL_EL0": "cntp_ctl_el0", "CNTP_CVAL_EL0": "cntp_cval_el0",
    "CNTV_CTL_EL0": "cntv_ctl_el0", "CNTV_CVAL_EL0": "cntv_cval_el0",
    "CNTFRQ_EL0": "cntfrq_el0",
}

PRELUDE = """\
    .text
    .global _start
_start:
"""

EPILOGUE = """\
    adr x1, exit_block
    mov x0, #0x18                   // SYS_EXIT
    hlt #0xf000
1:  b 1b

// Print x0 as w0*4 hex digits and a newline on the PL011.
print_hex:
    ldr x3, =0x09000000
    lsl w4, w5, #2
2:  sub w4, w4, #4
    lsr x6, x0, x4
    and x6, x6, #0xf
    cmp x6, #10
    add x7, x6, #'0'
    add x8, x6, #('a' - 10)
    csel x6, x7, x8, lo
    str w6, [x3]
    cbnz w4, 2b
    mov w6, #'\\n'
    str w6, [x3]
    ret

    .ltorg
    .balign 8
exit_block:
    .quad 0x20026                   // ADP_Stopped_ApplicationExit
    .quad 0
"""


def main():
    out = [PRELUDE]
    for number, raw in enumerate(open(sys.argv[1]), 1):
        line = raw.split("#", 1)[0].split()
        if not line:
            continue
        op, args = line[0], line[1:]
        where = f"    // line {number}: {' '.join(line)}\n"
        out.append(where)
        if op in ("r32", "r8"):
            load = "ldr w0, [x1]" if op == "r32" else "ldrb w0, [x1]"
            out.append(f"    ldr x1, ={args[0]}\n    {load}\n    mov w5, #8\n    bl print_hex\n")
        elif op in ("w32", "w8"):
            store = "str w2, [x1]" if op == "w32" else "strb w2, [x1]"
            out.append(f"    ldr x1, ={args[0]}\n    ldr x2, ={args[1]}\n    {store}\n    dsb sy\n")
        elif op == "mrs":
            out.append(f"    mrs x0, {SYSREGS[args[0]]}\n    mov w5, #16\n    bl print_hex\n")
        elif op == "msr":
            out.append(f"    ldr x2, ={args[1]}\n    msr {SYSREGS[args[0]]}, x2\n    isb\n")
        else:
            sys.exit(f"{sys.argv[1]}:{number}: unknown operation {op}")
    out.append(EPILOGUE)
    open(sys.argv[2], "w").write("".join(out))


main()
