/*
 * Segment descriptor fields (SDM vol. 3, 3.4.5 figure 3-8; 5.8.3 for call
 * gates) and the flat descriptors the firmware's GDTs are made of.
 */
#ifndef FW_ENTRY_DESC_H
#define FW_ENTRY_DESC_H

#include <stdint.h>

#define DESC_TYPE_DATA_RW  0x2
#define DESC_TYPE_CODE_XR  0xa
#define DESC_TYPE_TSS64    0x9      /* available 64-bit TSS */
#define DESC_TYPE_GATE64   0xc      /* 64-bit call gate */
#define DESC_S             (1ull << 44)
#define DESC_DPL(n)        ((uint64_t)(n) << 45)
#define DESC_P             (1ull << 47)
#define DESC_L             (1ull << 53)
#define DESC_D             (1ull << 54)
#define DESC_G             (1ull << 55)
#define DESC_LIMIT_4G      (0xffffull | (0xfull << 48))
#define DESC_TYPE(t)       ((uint64_t)(t) << 40)

#define CODE64(dpl) (DESC_LIMIT_4G | DESC_TYPE(DESC_TYPE_CODE_XR) | DESC_S | DESC_DPL(dpl) | DESC_P | DESC_L | DESC_G)
#define CODE32(dpl) (DESC_LIMIT_4G | DESC_TYPE(DESC_TYPE_CODE_XR) | DESC_S | DESC_DPL(dpl) | DESC_P | DESC_D | DESC_G)
#define DATA(dpl)   (DESC_LIMIT_4G | DESC_TYPE(DESC_TYPE_DATA_RW) | DESC_S | DESC_DPL(dpl) | DESC_P | DESC_G)

#endif
