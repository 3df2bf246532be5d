/*
 * Handlers and field checks named by the decode table (decode.c), one
 * group per executor file.
 */
#ifndef EMU_CPU_ARM64_A64_HANDLERS_H
#define EMU_CPU_ARM64_A64_HANDLERS_H

#include "cpu/arm64/a64_internal.h"

/* dp_imm.c */
a64_status a64_op_adr(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_addsub_imm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_add_x_imm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_sub_x_imm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_subs_x_imm(a64_cpu *cpu, uint32_t insn);
bool a64_valid_logical_imm(uint32_t insn);
a64_status a64_op_logical_imm(a64_cpu *cpu, uint32_t insn);
bool a64_valid_movewide(uint32_t insn);
a64_status a64_op_movewide(a64_cpu *cpu, uint32_t insn);

/* bitfield.c */
bool a64_valid_bitfield(uint32_t insn);
a64_status a64_op_bitfield(a64_cpu *cpu, uint32_t insn);
bool a64_valid_extract(uint32_t insn);
a64_status a64_op_extract(a64_cpu *cpu, uint32_t insn);

/* dp_reg.c */
bool a64_valid_logical_reg(uint32_t insn);
a64_status a64_op_logical_reg(a64_cpu *cpu, uint32_t insn);
bool a64_valid_addsub_shift(uint32_t insn);
a64_status a64_op_addsub_shift(a64_cpu *cpu, uint32_t insn);
bool a64_valid_addsub_ext(uint32_t insn);
a64_status a64_op_addsub_ext(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_adc(a64_cpu *cpu, uint32_t insn);
bool a64_valid_condcmp(uint32_t insn);
a64_status a64_op_condcmp(a64_cpu *cpu, uint32_t insn);
bool a64_valid_condsel(uint32_t insn);
a64_status a64_op_condsel(a64_cpu *cpu, uint32_t insn);

/* dp_misc.c */
bool a64_valid_dp1(uint32_t insn);
a64_status a64_op_dp1(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_shiftv(a64_cpu *cpu, uint32_t insn);
bool a64_valid_crc32(uint32_t insn);
a64_status a64_op_crc32(a64_cpu *cpu, uint32_t insn);

/* muldiv.c */
bool a64_valid_dp3(uint32_t insn);
a64_status a64_op_dp3(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_div(a64_cpu *cpu, uint32_t insn);

/* branch.c */
a64_status a64_op_b_imm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_b_cond(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_cbz(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_tbz(a64_cpu *cpu, uint32_t insn);
bool a64_valid_br_reg(uint32_t insn);
a64_status a64_op_br_reg(a64_cpu *cpu, uint32_t insn);

/* system.c */
bool a64_valid_exc_gen(uint32_t insn);
a64_status a64_op_exc_gen(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_hint(a64_cpu *cpu, uint32_t insn);
bool a64_valid_barrier(uint32_t insn);
a64_status a64_op_barrier(a64_cpu *cpu, uint32_t insn);
bool a64_valid_msr_imm(uint32_t insn);
a64_status a64_op_msr_imm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_msr_mrs(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_eret(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_drps(a64_cpu *cpu, uint32_t insn);

/* sys_ops.c */
a64_status a64_op_sys(a64_cpu *cpu, uint32_t insn);

/* ldst.c */
bool a64_valid_ldst_reg(uint32_t insn);
a64_status a64_op_ldst_reg(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_str_x_uimm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_ldr_x_uimm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_str_w_uimm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_ldr_w_uimm(a64_cpu *cpu, uint32_t insn);
bool a64_valid_ldr_lit_simd(uint32_t insn);
a64_status a64_op_ldr_lit(a64_cpu *cpu, uint32_t insn);

/* ldst_pair.c */
bool a64_valid_ldst_pair(uint32_t insn);
a64_status a64_op_ldst_pair(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_stp_x_offset(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_stp_x_pre(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_stp_x_post(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_ldp_x_offset(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_ldp_x_pre(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_ldp_x_post(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_stp_x_sp_offset(a64_cpu *cpu, uint32_t insn);    /* the same with Rn = SP */
a64_status a64_op_ldp_x_sp_offset(a64_cpu *cpu, uint32_t insn);

/* ldst_excl.c */
a64_status a64_op_ldst_excl(a64_cpu *cpu, uint32_t insn);
bool a64_valid_ldst_excl_pair(uint32_t insn);
a64_status a64_op_ldst_excl_pair(a64_cpu *cpu, uint32_t insn);
bool a64_valid_ldar_stlr(uint32_t insn);
a64_status a64_op_ldar_stlr(a64_cpu *cpu, uint32_t insn);

/* atomics.c */
bool a64_valid_atomic(uint32_t insn);
a64_status a64_op_atomic(a64_cpu *cpu, uint32_t insn);
bool a64_valid_cas(uint32_t insn);
a64_status a64_op_cas(a64_cpu *cpu, uint32_t insn);
bool a64_valid_casp(uint32_t insn);
a64_status a64_op_casp(a64_cpu *cpu, uint32_t insn);

/* simd_ldst.c */
a64_status a64_simd_ldst_one(a64_cpu *cpu, uint32_t insn, uint64_t addr, unsigned scale, bool load, unsigned flags);
a64_status a64_simd_ldst_pair(a64_cpu *cpu, uint32_t insn, uint64_t addr, unsigned scale, bool load, unsigned rt,
                              unsigned rt2);
bool a64_valid_simd_ldst_multi(uint32_t insn);
a64_status a64_op_simd_ldst_multi(a64_cpu *cpu, uint32_t insn);
bool a64_valid_simd_ldst_single(uint32_t insn);
a64_status a64_op_simd_ldst_single(a64_cpu *cpu, uint32_t insn);

/* simd_class.c */
a64_status a64_simd_unsupported(a64_cpu *cpu, uint32_t insn, const char *class_name);

/* simd_move.c */
a64_status a64_op_simd_copy(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_simd_modimm(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_fp_int_conv(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_fp_dp1(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_fp_imm(a64_cpu *cpu, uint32_t insn);

/* simd_int.c */
a64_status a64_op_simd_three_same(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_simd_two_misc(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_simd_across(a64_cpu *cpu, uint32_t insn);
a64_status a64_op_simd_shift_imm(a64_cpu *cpu, uint32_t insn);

#endif
