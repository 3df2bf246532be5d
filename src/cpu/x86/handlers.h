/*
 * Instruction handlers, one per form family, grouped by the file that
 * implements them. The opcode table (opcodes.def) names these; a handler
 * reads its operands through operand.c, and returns X86_OK having written
 * its results (and cpu->next_rip for branches), or X86_FAULT/X86_STOP having
 * changed nothing architectural.
 */
#ifndef EMU_CPU_X86_HANDLERS_H
#define EMU_CPU_X86_HANDLERS_H

#include "cpu/x86/x86.h"

#define X86_HANDLER(name) x86_status name(x86_cpu *cpu, const x86_insn *insn)

/* ---- alu.c: ADD/OR/ADC/SBB/AND/SUB/XOR/CMP, TEST, INC/DEC, NEG/NOT ---- */
X86_HANDLER(x86_op_alu_rm_r);       /* 00 01 08 09 10 11 18 19 20 21 28 29 30 31 38 39 */
X86_HANDLER(x86_op_alu_r_rm);       /* 02 03 0A 0B ... 3A 3B */
X86_HANDLER(x86_op_alu_acc_imm);    /* 04 05 0C 0D ... 3C 3D */
X86_HANDLER(x86_op_grp1);           /* 80 81 83 (82 outside 64-bit mode) */
X86_HANDLER(x86_op_test_rm_r);      /* 84 85 */
X86_HANDLER(x86_op_test_acc_imm);   /* A8 A9 */
X86_HANDLER(x86_op_inc_dec_rm);     /* FE /0 /1, FF /0 /1 (their own table rows, so no group dispatch) */
X86_HANDLER(x86_op_inc_dec_r);      /* 40-4F outside 64-bit mode */
X86_HANDLER(x86_op_grp3);           /* F6 F7: TEST NOT NEG MUL IMUL DIV IDIV */
X86_HANDLER(x86_op_xadd);           /* 0F C0 0F C1 */
X86_HANDLER(x86_op_cmpxchg);        /* 0F B0 0F B1 */
X86_HANDLER(x86_op_cmpxchg8b16b);   /* 0F C7 /1 (called from grp9) */

/* ---- shift.c: ROL ROR RCL RCR SHL SHR SAL SAR, SHLD, SHRD ---- */
X86_HANDLER(x86_op_grp2);           /* C0 C1 D0 D1 D2 D3 */
X86_HANDLER(x86_op_shld);           /* 0F A4 0F A5 */
X86_HANDLER(x86_op_shrd);           /* 0F AC 0F AD */

/* ---- muldiv.c: IMUL two/three operand forms, CBW/CWDE/CDQE, CWD/CDQ/CQO ---- */
X86_HANDLER(x86_op_imul_r_rm);      /* 0F AF */
X86_HANDLER(x86_op_imul_r_rm_imm);  /* 69 6B */
X86_HANDLER(x86_op_cbw);            /* 98 */
X86_HANDLER(x86_op_cwd);            /* 99 */

/* ---- bitops.c: BT/BTS/BTR/BTC, BSF/BSR/TZCNT/LZCNT, POPCNT ---- */
X86_HANDLER(x86_op_bt_rm_r);        /* 0F A3 AB B3 BB */
X86_HANDLER(x86_op_grp8);           /* 0F BA /4-/7 */
X86_HANDLER(x86_op_bsf_tzcnt);      /* 0F BC, F3 0F BC */
X86_HANDLER(x86_op_bsr_lzcnt);      /* 0F BD, F3 0F BD */
X86_HANDLER(x86_op_popcnt);         /* F3 0F B8 */

/* ---- flags.c: flag instructions ---- */
X86_HANDLER(x86_op_flag_op);        /* F5 CMC, F8 CLC, F9 STC, FC CLD, FD STD */
X86_HANDLER(x86_op_sahf);           /* 9E */
X86_HANDLER(x86_op_lahf);           /* 9F */

/* ---- mov.c: data movement ---- */
X86_HANDLER(x86_op_mov_rm_r);       /* 88 89 */
X86_HANDLER(x86_op_mov_r_rm);       /* 8A 8B */
X86_HANDLER(x86_op_mov_r_imm);      /* B0-BF */
X86_HANDLER(x86_op_mov_rm_imm);     /* C6 /0, C7 /0 */
X86_HANDLER(x86_op_mov_acc_moffs);  /* A0 A1 A2 A3 */
X86_HANDLER(x86_op_lea);            /* 8D */
X86_HANDLER(x86_op_movzx);          /* 0F B6 0F B7 */
X86_HANDLER(x86_op_movsx);          /* 0F BE 0F BF */
X86_HANDLER(x86_op_movsxd);         /* 63 in 64-bit mode */
X86_HANDLER(x86_op_xchg_rm_r);      /* 86 87 */
X86_HANDLER(x86_op_xchg_acc_r);     /* 91-97; 90 is NOP/PAUSE unless REX.B */
X86_HANDLER(x86_op_bswap);          /* 0F C8-CF */
X86_HANDLER(x86_op_cmovcc);         /* 0F 40-4F */
X86_HANDLER(x86_op_setcc);          /* 0F 90-9F */
X86_HANDLER(x86_op_xlat);           /* D7 */

/* ---- stack.c: PUSH/POP, PUSHF/POPF, ENTER/LEAVE, PUSHA/POPA ---- */
X86_HANDLER(x86_op_push_r);         /* 50-57 */
X86_HANDLER(x86_op_pop_r);          /* 58-5F */
X86_HANDLER(x86_op_push_imm);       /* 68 6A */
X86_HANDLER(x86_op_pop_rm);         /* 8F /0 */
X86_HANDLER(x86_op_pushf);          /* 9C */
X86_HANDLER(x86_op_popf);           /* 9D */
X86_HANDLER(x86_op_enter);          /* C8 */
X86_HANDLER(x86_op_leave);          /* C9 */
X86_HANDLER(x86_op_pusha);          /* 60 outside 64-bit mode */
X86_HANDLER(x86_op_popa);           /* 61 outside 64-bit mode */

/* ---- branch.c: near control transfer ---- */
X86_HANDLER(x86_op_jcc);            /* 70-7F, 0F 80-8F */
X86_HANDLER(x86_op_jmp_rel);        /* E9 EB */
X86_HANDLER(x86_op_call_rel);       /* E8 */
X86_HANDLER(x86_op_ret_near);       /* C2 C3 */
X86_HANDLER(x86_op_loop);           /* E0 E1 E2 */
X86_HANDLER(x86_op_jcxz);           /* E3 */
X86_HANDLER(x86_op_grp4);           /* FE: INC/DEC r/m8 */
X86_HANDLER(x86_op_grp5);           /* FF: INC DEC CALL CALLF JMP JMPF PUSH */

/* ---- string.c: MOVS STOS LODS CMPS SCAS with REP/REPE/REPNE ---- */
X86_HANDLER(x86_op_movs);           /* A4 A5 */
X86_HANDLER(x86_op_cmps);           /* A6 A7 */
X86_HANDLER(x86_op_stos);           /* AA AB */
X86_HANDLER(x86_op_lods);           /* AC AD */
X86_HANDLER(x86_op_scas);           /* AE AF */

/* ---- misc.c: NOPs, hints, fences, UD2, software interrupts, groups ---- */
X86_HANDLER(x86_op_nop);            /* 90, 0F 1F /0, 0F 18-1F hints, ENDBR32/64, PAUSE */
X86_HANDLER(x86_op_ud);             /* 0F 0B UD2, 0F B9 UD1, 0F FF UD0 */
X86_HANDLER(x86_op_grp15);          /* 0F AE: LFENCE MFENCE SFENCE (mod 3); others unsupported */
X86_HANDLER(x86_op_grp9);           /* 0F C7: CMPXCHG8B/16B, RDRAND/RDSEED/RDPID unsupported or modelled */
X86_HANDLER(x86_op_int3);           /* CC */
X86_HANDLER(x86_op_int_imm);        /* CD ib */
X86_HANDLER(x86_op_into);           /* CE (outside 64-bit mode) */
X86_HANDLER(x86_op_int1);           /* F1 */
X86_HANDLER(x86_op_unsupported);    /* decodes, not modelled: stops naming it */

/* ---- fpu_sse.c: the CR0/CR4 checks of x87, MMX, SSE and AVX, then a stop naming the instruction ---- */
X86_HANDLER(x86_op_x87);            /* D8-DF */
X86_HANDLER(x86_op_fwait);          /* 9B */
X86_HANDLER(x86_op_simd);           /* 0F 10-17 28-2F 50-7F C2 C4-C6 D0-FE, 0F 38 xx, 0F 3A xx */
X86_HANDLER(x86_op_vex);            /* C4/C5 VEX prefix */
X86_HANDLER(x86_op_evex);           /* 62 EVEX prefix */

/* ---- system.c: control/debug registers, descriptor tables, HLT, CLI/STI ---- */
X86_HANDLER(x86_op_mov_from_cr);    /* 0F 20 */
X86_HANDLER(x86_op_mov_to_cr);      /* 0F 22 */
X86_HANDLER(x86_op_mov_from_dr);    /* 0F 21 */
X86_HANDLER(x86_op_mov_to_dr);      /* 0F 23 */
X86_HANDLER(x86_op_grp6);           /* 0F 00: SLDT STR LLDT LTR VERR VERW */
X86_HANDLER(x86_op_grp7);           /* 0F 01: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG SWAPGS RDTSCP ... */
X86_HANDLER(x86_op_clts);           /* 0F 06 */
X86_HANDLER(x86_op_invd_wbinvd);    /* 0F 08 0F 09 */
X86_HANDLER(x86_op_hlt);            /* F4 */
X86_HANDLER(x86_op_cli);            /* FA */
X86_HANDLER(x86_op_sti);            /* FB */
X86_HANDLER(x86_op_rdtsc);          /* 0F 31 */
X86_HANDLER(x86_op_cpuid);          /* 0F A2 (cpuid.c) */
X86_HANDLER(x86_op_rdmsr);          /* 0F 32 (msr.c) */
X86_HANDLER(x86_op_wrmsr);          /* 0F 30 (msr.c) */

/* ---- segment.c: segment registers and far transfers ---- */
X86_HANDLER(x86_op_mov_sreg_rm);    /* 8E */
X86_HANDLER(x86_op_mov_rm_sreg);    /* 8C */
X86_HANDLER(x86_op_push_sreg);      /* 06 0E 16 1E (outside 64-bit mode), 0F A0, 0F A8 */
X86_HANDLER(x86_op_pop_sreg);       /* 07 17 1F (outside 64-bit mode), 0F A1, 0F A9 */
X86_HANDLER(x86_op_load_far_ptr);   /* 0F B2 LSS, 0F B4 LFS, 0F B5 LGS, C4 LES, C5 LDS (outside 64-bit) */
X86_HANDLER(x86_op_jmp_far);        /* EA (outside 64-bit mode) */
X86_HANDLER(x86_op_call_far);       /* 9A (outside 64-bit mode) */
X86_HANDLER(x86_op_jmp_far_ind);    /* FF /5 (called from grp5) */
X86_HANDLER(x86_op_call_far_ind);   /* FF /3 (called from grp5) */
X86_HANDLER(x86_op_ret_far);        /* CA CB */
X86_HANDLER(x86_op_iret);           /* CF (src/entry/x86/iret.c) */
X86_HANDLER(x86_op_syscall);        /* 0F 05 (src/entry/x86/syscall.c) */
X86_HANDLER(x86_op_sysret);         /* 0F 07 (src/entry/x86/syscall.c) */
X86_HANDLER(x86_op_sysenter);       /* 0F 34 (src/entry/x86/sysenter.c) */
X86_HANDLER(x86_op_sysexit);        /* 0F 35 (src/entry/x86/sysenter.c) */
X86_HANDLER(x86_op_lar_lsl);        /* 0F 02 0F 03 */

/* ---- io.c: port I/O ---- */
X86_HANDLER(x86_op_in);             /* E4 E5 EC ED */
X86_HANDLER(x86_op_out);            /* E6 E7 EE EF */
X86_HANDLER(x86_op_ins);            /* 6C 6D */
X86_HANDLER(x86_op_outs);           /* 6E 6F */

#endif
