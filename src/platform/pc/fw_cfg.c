/*
 * QEMU's firmware configuration device, traditional I/O interface only
 * (QEMU docs/specs/fw_cfg.rst): writing a key to the selector port selects
 * an item and rewinds it; each read of the data port returns its next
 * byte, and reads past the end (or of an item emu does not have) return 0.
 * The DMA interface (port 0x514) is not modelled, so the ID item says so.
 */
#include "platform/pc/fw_cfg.h"

#include <string.h>

#include "core/machine.h"

#define FW_CFG_ID_TRADITIONAL 1u       /* bit 0: the port interface; bit 1 (DMA) clear */
#define PC_CPUS 1u

void fw_cfg_select(fw_cfg *f, uint16_t key)
{
    f->selector = key;
    f->offset = 0;
}

/* The selected item's bytes (little-endian numbers, as the spec defines them); 0 bytes if emu has none. */
static size_t item(const fw_cfg *f, const emu_machine *m, uint8_t buf[8])
{
    uint64_t v;
    size_t n;
    switch (f->selector) {
    case FW_CFG_SIGNATURE:
        memcpy(buf, "QEMU", 4);
        return 4;
    case FW_CFG_ID:
        v = FW_CFG_ID_TRADITIONAL;
        n = 4;
        break;
    case FW_CFG_RAM_SIZE:
        v = m->ram_size;
        n = 8;
        break;
    case FW_CFG_NB_CPUS:
    case FW_CFG_MAX_CPUS:
        v = PC_CPUS;
        n = 2;
        break;
    default:
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
    return n;
}

uint8_t fw_cfg_read_byte(fw_cfg *f, const emu_machine *m)
{
    uint8_t buf[8] = { 0 };
    size_t n = item(f, m, buf);
    if (f->offset >= n)
        return 0;
    return buf[f->offset++];
}
