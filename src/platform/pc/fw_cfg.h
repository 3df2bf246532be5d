/* QEMU's fw_cfg over I/O ports (fw_cfg.c; QEMU docs/specs/fw_cfg.rst). */
#ifndef EMU_PLATFORM_PC_FW_CFG_H
#define EMU_PLATFORM_PC_FW_CFG_H

#include <stdint.h>

struct emu_machine;

#define FW_CFG_SELECTOR_PORT 0x510     /* 16-bit write: the item key */
#define FW_CFG_DATA_PORT     0x511     /* 8-bit read: the item's next byte */

/* Item keys (docs/specs/fw_cfg.rst, "Selector Register"). */
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID        0x0001
#define FW_CFG_RAM_SIZE  0x0003
#define FW_CFG_NB_CPUS   0x0005
#define FW_CFG_MAX_CPUS  0x000f

typedef struct fw_cfg {
    uint16_t selector;
    uint32_t offset;            /* next byte of the selected item */
} fw_cfg;

void fw_cfg_select(fw_cfg *f, uint16_t key);
uint8_t fw_cfg_read_byte(fw_cfg *f, const struct emu_machine *m);

#endif
