/*
 * The decoder through emu_x86_decode(): instruction lengths, mnemonics and
 * validity over a corpus of prefix combinations (segment, 66, 67, F2/F3,
 * LOCK, REX placement), ModRM/SIB/displacement and the 16-bit addressing
 * forms, every immediate form, mandatory-prefix variants, group members,
 * and the encodings that are #UD in 64-bit mode, in 16-, 32- and 64-bit
 * code. Lengths are those of the SDM vol. 2 encodings (chapter 2 and
 * appendix A).
 */
#include <stdio.h>
#include <string.h>

#include "emu_test.h"

#define UD (-1)        /* EMU_ERR_INVALID_ARG: not an instruction (#UD) or over 15 bytes */
#define SHORT (-2)     /* EMU_ERR_BAD_ADDRESS: needs more bytes than given */

typedef struct decode_case {
    const char *name;
    emu_x86_mode mode;
    uint8_t bytes[16];
    uint8_t n;          /* bytes given */
    int want;           /* length, UD or SHORT */
    const char *mnemonic;   /* NULL: not checked */
    int supported;      /* 1, 0, or -1: not checked */
} decode_case;

#define M16 EMU_X86_MODE_16
#define M32 EMU_X86_MODE_32
#define M64 EMU_X86_MODE_64
#define B(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const decode_case cases[] = {
    /* Plain forms and ModRM/SIB/displacement (SDM vol. 2, tables 2-2, 2-3). */
    { "nop", M64, B(0x90), 1, "nop", 1 },
    { "mov r/m, r", M64, B(0x89, 0xd8), 2, "mov", 1 },
    { "mov [rsp]", M64, B(0x8b, 0x04, 0x24), 3, "mov", 1 },
    { "mov [rsp+disp8]", M64, B(0x8b, 0x44, 0x24, 0x08), 4, "mov", 1 },
    { "mov [rsp+disp32]", M64, B(0x8b, 0x84, 0x24, 1, 2, 3, 4), 7, "mov", 1 },
    { "mov [rip+disp32]", M64, B(0x8b, 0x05, 1, 2, 3, 4), 6, "mov", 1 },
    { "mov [disp32] via SIB", M64, B(0x8b, 0x04, 0x25, 1, 2, 3, 4), 7, "mov", 1 },
    { "mov [rbp+0]", M64, B(0x8b, 0x45, 0x00), 3, "mov", 1 },
    { "mov [r13+0] (REX.B)", M64, B(0x41, 0x8b, 0x45, 0x00), 4, "mov", 1 },
    { "mov [base+index*8+disp8]", M64, B(0x8b, 0x44, 0xcb, 0x10), 4, "mov", 1 },
    { "SIB no base, disp32", M32, B(0x8b, 0x04, 0x8d, 1, 2, 3, 4), 7, "mov", 1 },
    { "mov [disp32] absolute", M32, B(0x8b, 0x05, 1, 2, 3, 4), 6, "mov", 1 },
    /* 16-bit addressing (table 2-1). */
    { "16-bit [disp16]", M16, B(0x8b, 0x06, 0x34, 0x12), 4, "mov", 1 },
    { "16-bit [bp+disp8]", M16, B(0x8b, 0x46, 0x08), 3, "mov", 1 },
    { "16-bit [bp+disp16]", M16, B(0x8b, 0x86, 0x34, 0x12), 4, "mov", 1 },
    { "16-bit [bx+si]", M16, B(0x8b, 0x00), 2, "mov", 1 },
    { "16-bit [si] no SIB", M16, B(0x8b, 0x04, 0x24), 2, "mov", 1 },
    { "67 in 32-bit: 16-bit [disp16]", M32, B(0x67, 0x8b, 0x06, 0x34, 0x12), 5, "mov", 1 },
    { "67 in 16-bit: SIB", M16, B(0x67, 0x8b, 0x04, 0x24), 4, "mov", 1 },
    { "67 in 64-bit: 32-bit address", M64, B(0x67, 0x8b, 0x04, 0x24), 4, "mov", 1 },
    /* Immediates. */
    { "mov r32, imm32", M64, B(0xb8, 1, 2, 3, 4), 5, "mov", 1 },
    { "mov r64, imm64", M64, B(0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 10, "mov", 1 },
    { "66 mov r16, imm16", M64, B(0x66, 0xb8, 1, 2), 4, "mov", 1 },
    { "mov r16, imm16 in 16-bit", M16, B(0xb8, 1, 2), 3, "mov", 1 },
    { "66 mov r32, imm32 in 16-bit", M16, B(0x66, 0xb8, 1, 2, 3, 4), 6, "mov", 1 },
    { "add r/m64, imm32", M64, B(0x48, 0x81, 0xc0, 1, 2, 3, 4), 7, "add", 1 },
    { "66 add r/m16, imm16", M64, B(0x66, 0x81, 0xc0, 1, 2), 5, "add", 1 },
    { "add r/m, imm8", M64, B(0x83, 0xc0, 0x01), 3, "add", 1 },
    { "test r/m8, imm8 (F6 /0)", M64, B(0xf6, 0xc0, 0x01), 3, "test", 1 },
    { "not r/m8 (F6 /2) has no imm", M64, B(0xf6, 0xd0), 2, "not", 1 },
    { "test r/m32, imm32 (F7 /0)", M64, B(0xf7, 0xc0, 1, 2, 3, 4), 6, "test", 1 },
    { "66 test r/m16, imm16", M64, B(0x66, 0xf7, 0xc0, 1, 2), 5, "test", 1 },
    { "moffs64", M64, B(0xa1, 1, 2, 3, 4, 5, 6, 7, 8), 9, "mov", 1 },
    { "67 moffs32 in 64-bit", M64, B(0x67, 0xa1, 1, 2, 3, 4), 6, "mov", 1 },
    { "moffs32", M32, B(0xa1, 1, 2, 3, 4), 5, "mov", 1 },
    { "moffs16", M16, B(0xa1, 1, 2), 3, "mov", 1 },
    { "enter iw, ib", M64, B(0xc8, 0x10, 0x00, 0x01), 4, "enter", 1 },
    { "ret iw", M64, B(0xc2, 0x08, 0x00), 3, "ret", 1 },
    { "jmp far ptr16:32", M32, B(0xea, 1, 2, 3, 4, 0x08, 0x00), 7, "jmpf", 1 },
    { "66 call far ptr16:16", M32, B(0x66, 0x9a, 1, 2, 0x08, 0x00), 6, "callf", 1 },
    { "int imm8", M64, B(0xcd, 0x80), 2, "int", 1 },
    { "in al, imm8", M32, B(0xe4, 0x60), 2, "in", 1 },
    { "shift by imm8", M64, B(0xc1, 0xe0, 0x04), 3, "shl", 1 },
    { "shld imm8", M64, B(0x0f, 0xa4, 0xc1, 0x04), 4, "shld", 1 },
    { "bt imm8 (grp8)", M64, B(0x0f, 0xba, 0xe0, 0x04), 4, "bt", 1 },
    { "imul r, r/m, imm8", M64, B(0x6b, 0xc0, 0x05), 3, "imul", 1 },
    { "push imm32", M64, B(0x68, 1, 2, 3, 4), 5, "push", 1 },
    { "66 push imm16 in 64-bit", M64, B(0x66, 0x68, 1, 2), 4, "push", 1 },
    /* Near branches: the operand size is 64 in 64-bit mode and 66 does not shrink rel32 (Intel). */
    { "jcc rel8", M64, B(0x74, 0xfe), 2, "je", 1 },
    { "jcc rel32", M64, B(0x0f, 0x84, 1, 2, 3, 4), 6, "je", 1 },
    { "66 jcc rel32 in 64-bit", M64, B(0x66, 0x0f, 0x84, 1, 2, 3, 4), 7, "je", 1 },
    { "66 jcc rel16 in 32-bit", M32, B(0x66, 0x0f, 0x84, 1, 2), 5, "je", 1 },
    { "66 call rel32 in 64-bit", M64, B(0x66, 0xe8, 1, 2, 3, 4), 6, "call", 1 },
    { "call rel16 in 16-bit", M16, B(0xe8, 1, 2), 3, "call", 1 },
    { "loop rel8", M64, B(0xe2, 0xfe), 2, "loop", 1 },
    { "jmp [rip+disp32]", M64, B(0xff, 0x25, 1, 2, 3, 4), 6, "jmp", 1 },
    { "call r/m", M64, B(0xff, 0xd0), 2, "call", 1 },
    { "push r/m", M64, B(0xff, 0x30), 2, "push", 1 },
    /* Prefixes: segment overrides, repeats, REX placement, the 15-byte limit. */
    { "fs: mov", M64, B(0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0), 9, "mov", 1 },
    { "cs ds es ss fs gs prefixes", M32, B(0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65, 0x8b, 0x00), 8, "mov", 1 },
    { "rep movsb", M64, B(0xf3, 0xa4), 2, "movsb", 1 },
    { "repne scasb", M64, B(0xf2, 0xae), 2, "scasb", 1 },
    { "REX.W then 66 (REX ignored): imm16", M64, B(0x48, 0x66, 0xb8, 1, 2), 5, "mov", 1 },
    { "66 then REX.W: imm64", M64, B(0x66, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 11, "mov", 1 },
    { "two REX, last wins", M64, B(0x41, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), 11, "mov", 1 },
    { "40 is REX in 64-bit", M64, B(0x40, 0x90), 2, "nop", 1 },
    { "REX.B 90 is xchg r8, rax", M64, B(0x41, 0x90), 2, "xchg", 1 },
    { "40 is INC in 32-bit", M32, B(0x40), 1, "inc", 1 },
    { "14 prefixes + opcode = 15 bytes", M64,
      B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90), 15, "nop", 1 },
    { "15 prefixes + opcode is too long", M64,
      B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90), UD, NULL, -1 },
    { "too long through a displacement", M64,
      B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x81, 0x84, 0x24, 1, 2, 3, 4), UD, NULL, -1 },
    { "short: imm32 cut", M32, B(0xb8, 1, 2), SHORT, NULL, -1 },
    { "short: prefix only", M64, B(0x66), SHORT, NULL, -1 },
    { "short: ModRM missing", M64, B(0x0f, 0xb6), SHORT, NULL, -1 },
    /* LOCK (SDM vol. 2, LOCK): only listed RMW forms with a memory destination. */
    { "lock add [mem], r", M64, B(0xf0, 0x01, 0x08), 3, "add", 1 },
    { "lock add reg, reg is #UD", M64, B(0xf0, 0x01, 0xc8), UD, NULL, -1 },
    { "lock mov is #UD", M64, B(0xf0, 0x89, 0x08), UD, NULL, -1 },
    { "lock cmp is #UD", M64, B(0xf0, 0x83, 0x38, 0x01), UD, NULL, -1 },
    { "lock add r, [mem] is #UD", M64, B(0xf0, 0x03, 0x08), UD, NULL, -1 },
    { "lock xchg", M64, B(0xf0, 0x87, 0x08), 3, "xchg", 1 },
    { "lock cmpxchg8b", M64, B(0xf0, 0x0f, 0xc7, 0x08), 4, "cmpxchg8b", 1 },
    { "lock bts imm8", M64, B(0xf0, 0x0f, 0xba, 0x28, 0x01), 5, "bts", 1 },
    { "lock bt imm8 is #UD", M64, B(0xf0, 0x0f, 0xba, 0x20, 0x01), UD, NULL, -1 },
    { "lock neg", M64, B(0xf0, 0xf7, 0x18), 3, "neg", 1 },
    { "lock nop is #UD", M64, B(0xf0, 0x90), UD, NULL, -1 },
    /* Mandatory-prefix forms. */
    { "popcnt", M64, B(0xf3, 0x0f, 0xb8, 0xc1), 4, "popcnt", 1 },
    { "0F B8 without F3 is #UD", M64, B(0x0f, 0xb8, 0xc1), UD, NULL, -1 },
    { "tzcnt", M64, B(0xf3, 0x0f, 0xbc, 0xc1), 4, "tzcnt", 1 },
    { "bsf", M64, B(0x0f, 0xbc, 0xc1), 3, "bsf", 1 },
    { "66 bsf", M64, B(0x66, 0x0f, 0xbc, 0xc1), 4, "bsf", 1 },
    { "lzcnt", M64, B(0xf3, 0x0f, 0xbd, 0xc1), 4, "lzcnt", 1 },
    { "endbr64", M64, B(0xf3, 0x0f, 0x1e, 0xfa), 4, "endbr64", 1 },
    { "endbr32", M32, B(0xf3, 0x0f, 0x1e, 0xfb), 4, "endbr32", 1 },
    { "pause", M64, B(0xf3, 0x90), 2, "pause", 1 },
    { "multi-byte nop", M64, B(0x0f, 0x1f, 0x44, 0x00, 0x00), 5, "nop", 1 },
    /* Unmodelled forms decode to their full length. */
    { "x87 register form", M64, B(0xd9, 0xc0), 2, "x87", 0 },
    { "x87 memory form", M64, B(0xdd, 0x04, 0x24), 3, "x87", 0 },
    { "sse movups", M64, B(0x0f, 0x10, 0xc1), 3, "sse", 0 },
    { "sse pshufd ib", M64, B(0x66, 0x0f, 0x70, 0xc1, 0x05), 5, "sse", 0 },
    { "mmx shift group ib", M64, B(0x0f, 0x71, 0xd0, 0x05), 4, "sse", 0 },
    { "0F 38 map", M64, B(0x66, 0x0f, 0x38, 0x00, 0xc1), 5, "sse", 0 },
    { "0F 3A map with ib", M64, B(0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08), 6, "palignr", 0 },
    { "0F 3A with SIB+disp32+ib", M64, B(0x66, 0x0f, 0x3a, 0x0f, 0x84, 0x24, 1, 2, 3, 4, 8), 11, "palignr", 0 },
    { "syscall", M64, B(0x0f, 0x05), 2, "syscall", 1 },
    { "sysret (REX.W: to 64-bit mode)", M64, B(0x48, 0x0f, 0x07), 3, "sysret", 1 },
    { "sysenter", M64, B(0x0f, 0x34), 2, "sysenter", 1 },
    { "xbegin rel32", M64, B(0xc7, 0xf8, 1, 2, 3, 4), 6, "xbegin", 0 },
    { "fwait (a no-op: no x87 exception can be pending)", M32, B(0x9b), 1, "fwait", 1 },
    { "x87 fninit", M64, B(0xdb, 0xe3), 2, "x87", 0 },
    { "fxsave [rax]", M64, B(0x0f, 0xae, 0x00), 3, "fxsave", 1 },
    { "ldmxcsr [rsp+8]", M64, B(0x0f, 0xae, 0x54, 0x24, 0x08), 5, "ldmxcsr", 1 },
    { "66 0F 38 17 ptest", M64, B(0x66, 0x0f, 0x38, 0x17, 0xc1), 5, "sse", 0 },
    { "emms has no ModRM", M64, B(0x0f, 0x77), 2, "emms", 0 },
    /* VEX and EVEX (SDM vol. 2, 2.3 and 2.7): lengths; executing them is #UD unless XCR0 enables AVX. */
    { "VEX C5 vzeroupper (no ModRM)", M64, B(0xc5, 0xf8, 0x77), 3, "vzeroupper", 0 },
    { "VEX C4 map 0F38", M64, B(0xc4, 0xe2, 0x79, 0x18, 0x06), 5, "vex", 0 },
    { "VEX C4 map 0F3A has imm8", M64, B(0xc4, 0xe3, 0x79, 0x0f, 0xc1, 0x08), 6, "vex", 0 },
    { "VEX C5 vpshufd has imm8", M64, B(0xc5, 0xf9, 0x70, 0xc1, 0x08), 5, "vex", 0 },
    { "VEX C5 with disp32", M64, B(0xc5, 0xf8, 0x28, 0x80, 1, 2, 3, 4), 8, "vex", 0 },
    { "VEX C5 mod=3 in 32-bit", M32, B(0xc5, 0xf8, 0x77), 3, "vzeroupper", 0 },
    { "VEX after 66 is #UD", M64, B(0x66, 0xc5, 0xf8, 0x77), UD, NULL, -1 },
    { "VEX after F3 is #UD", M64, B(0xf3, 0xc5, 0xf8, 0x77), UD, NULL, -1 },
    { "VEX after REX is #UD", M64, B(0x48, 0xc5, 0xf8, 0x77), UD, NULL, -1 },
    { "VEX map 0 is #UD", M64, B(0xc4, 0xe0, 0x79, 0x18, 0x06), UD, NULL, -1 },
    { "short: VEX payload cut", M64, B(0xc4, 0xe2), SHORT, NULL, -1 },
    { "LDS in 32-bit", M32, B(0xc5, 0x06), 2, "lds", 1 },
    { "LES in 16-bit", M16, B(0xc4, 0x06, 0x34, 0x12), 4, "les", 1 },
    { "EVEX in 64-bit", M64, B(0x62, 0xf1, 0x7c, 0x48, 0x10, 0xc1), 6, "evex", 0 },
    { "EVEX map 0F3A has imm8", M64, B(0x62, 0xf3, 0x7d, 0x48, 0x0f, 0xc1, 0x08), 7, "evex", 0 },
    { "EVEX with reserved P0 bit 3 is #UD", M64, B(0x62, 0xf9, 0x7c, 0x48, 0x10, 0xc1), UD, NULL, -1 },
    { "BOUND in 32-bit", M32, B(0x62, 0x06), 2, "bound", 0 },
    { "3DNow!", M64, B(0x0f, 0x0f, 0xc1, 0x0d), UD, NULL, -1 },
    /* Mode validity. */
    { "push es #UD in 64-bit", M64, B(0x06), UD, NULL, -1 },
    { "push es in 32-bit", M32, B(0x06), 1, "push", 1 },
    { "daa #UD in 64-bit", M64, B(0x27), UD, NULL, -1 },
    { "pusha #UD in 64-bit", M64, B(0x60), UD, NULL, -1 },
    { "pusha in 32-bit", M32, B(0x60), 1, "pusha", 1 },
    { "into #UD in 64-bit", M64, B(0xce), UD, NULL, -1 },
    { "jmp far #UD in 64-bit", M64, B(0xea, 1, 2, 3, 4, 5, 6), UD, NULL, -1 },
    { "82 #UD in 64-bit", M64, B(0x82, 0xc0, 0x01), UD, NULL, -1 },
    { "82 in 32-bit", M32, B(0x82, 0xc0, 0x01), 3, "add", 1 },
    { "aam #UD in 64-bit", M64, B(0xd4, 0x0a), UD, NULL, -1 },
    { "movsxd in 64-bit", M64, B(0x48, 0x63, 0xc1), 3, "movsxd", 1 },
    { "arpl in 32-bit", M32, B(0x63, 0xc1), 2, "arpl", 0 },
    /* SYSCALL/SYSRET decode everywhere: whether they run depends on the vendor (AMD: compatibility mode). */
    { "syscall in 32-bit decodes", M32, B(0x0f, 0x05), 2, "syscall", 1 },
    { "sysret in 32-bit decodes", M32, B(0x0f, 0x07), 2, "sysret", 1 },
    { "swapgs in 64-bit", M64, B(0x0f, 0x01, 0xf8), 3, "swapgs", 1 },
    { "swapgs #UD in 32-bit", M32, B(0x0f, 0x01, 0xf8), UD, NULL, -1 },
    /* Groups and ModRM constraints. */
    { "mov cr ignores mod", M64, B(0x0f, 0x20, 0x00), 3, "mov", 1 },
    { "mov cr0, rax", M64, B(0x0f, 0x22, 0xc0), 3, "mov", 1 },
    { "FF /7 #UD", M64, B(0xff, 0x38), UD, NULL, -1 },
    { "FE /2 #UD", M64, B(0xfe, 0x10), UD, NULL, -1 },
    { "FF /3 register #UD", M64, B(0xff, 0xd8), UD, NULL, -1 },
    { "FF /3 memory", M64, B(0xff, 0x18), 2, "callf", 1 },
    { "8F /1 #UD (XOP)", M64, B(0x8f, 0x08), UD, NULL, -1 },
    { "C6 /1 #UD", M64, B(0xc6, 0x08, 0x01), UD, NULL, -1 },
    { "lea with a register #UD", M64, B(0x8d, 0xc0), UD, NULL, -1 },
    { "mov cs, r/m #UD", M64, B(0x8e, 0xc8), UD, NULL, -1 },
    { "mov ds, r/m", M32, B(0x8e, 0xd8), 2, "mov", 1 },
    { "lgdt", M64, B(0x0f, 0x01, 0x10), 3, "lgdt", 1 },
    { "rdtscp", M64, B(0x0f, 0x01, 0xf9), 3, "rdtscp", 1 },
    { "0F 00 /6 #UD", M64, B(0x0f, 0x00, 0x30), UD, NULL, -1 },
    { "ud2", M64, B(0x0f, 0x0b), 2, "ud2", 1 },
    { "ud1 has ModRM", M64, B(0x0f, 0xb9, 0x04, 0x24), 4, "ud1", 1 },
    { "lfence", M64, B(0x0f, 0xae, 0xe8), 3, "lfence", 1 },
    { "clflush", M64, B(0x0f, 0xae, 0x38), 3, "clflush", 1 },
    { "rdfsbase", M64, B(0xf3, 0x48, 0x0f, 0xae, 0xc0), 5, "rdfsbase", 1 },
    { "int3", M64, B(0xcc), 1, "int3", 1 },
    { "int1", M64, B(0xf1), 1, "int1", 1 },
};

START_TEST(decode_corpus)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const decode_case *c = &cases[i];
        emu_x86_insn_info info;
        memset(&info, 0xa5, sizeof info);
        emu_err err = emu_x86_decode(c->bytes, c->n, c->mode, &info);
        if (c->want == UD) {
            ck_assert_msg(err == EMU_ERR_INVALID_ARG, "case %zu \"%s\" (%d-bit): want #UD, got %s (length %u)",
                          i, c->name, (int)c->mode, emu_strerror(err), err == EMU_OK ? info.length : 0);
            continue;
        }
        if (c->want == SHORT) {
            ck_assert_msg(err == EMU_ERR_BAD_ADDRESS, "case %zu \"%s\" (%d-bit): want short, got %s", i, c->name,
                          (int)c->mode, emu_strerror(err));
            continue;
        }
        ck_assert_msg(err == EMU_OK, "case %zu \"%s\" (%d-bit): want length %d, got %s", i, c->name,
                      (int)c->mode, c->want, emu_strerror(err));
        ck_assert_msg(info.length == (unsigned)c->want, "case %zu \"%s\" (%d-bit): length want %d got %u", i,
                      c->name, (int)c->mode, c->want, info.length);
        if (c->mnemonic)
            ck_assert_msg(strcmp(info.mnemonic, c->mnemonic) == 0, "case %zu \"%s\": mnemonic want %s got %s", i,
                          c->name, c->mnemonic, info.mnemonic);
        if (c->supported >= 0)
            ck_assert_msg(info.supported == (c->supported == 1), "case %zu \"%s\": supported want %d got %d", i,
                          c->name, c->supported, (int)info.supported);
    }
}
END_TEST

START_TEST(decode_every_prefix_before_every_length_form)
{
    /* Each legacy prefix adds exactly one byte to a form's length, in every mode. */
    static const uint8_t prefixes[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf2, 0xf3 };
    static const uint8_t form[] = { 0x8b, 0x84, 0x24, 1, 2, 3, 4 };  /* mov eax, [esp+disp32] */
    static const emu_x86_mode modes[] = { M32, M64 };
    for (size_t mi = 0; mi < sizeof modes / sizeof modes[0]; mi++) {
        for (size_t pi = 0; pi < sizeof prefixes; pi++) {
            uint8_t bytes[16];
            bytes[0] = prefixes[pi];
            memcpy(bytes + 1, form, sizeof form);
            emu_x86_insn_info info;
            emu_err err = emu_x86_decode(bytes, 1 + sizeof form, modes[mi], &info);
            ck_assert_msg(err == EMU_OK && info.length == 1 + sizeof form,
                          "prefix %02x (%d-bit): want length %zu, got %s/%u", prefixes[pi], (int)modes[mi],
                          1 + sizeof form, emu_strerror(err), info.length);
        }
    }
}
END_TEST

START_TEST(decode_bad_arguments)
{
    static const uint8_t nop = 0x90;
    emu_x86_insn_info info;
    ck_assert_msg(emu_x86_decode(&nop, 1, (emu_x86_mode)8, &info) == EMU_ERR_INVALID_ARG, "bad mode accepted");
    ck_assert_msg(emu_x86_decode(NULL, 1, M64, &info) == EMU_ERR_INVALID_ARG, "NULL bytes accepted");
    ck_assert_msg(emu_x86_decode(&nop, 0, M64, &info) == EMU_ERR_BAD_ADDRESS, "empty buffer not short");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/decode");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, decode_corpus);
    tcase_add_test(tc, decode_every_prefix_before_every_length_form);
    tcase_add_test(tc, decode_bad_arguments);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
