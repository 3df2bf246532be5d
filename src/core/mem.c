/* Guest memory access for front ends and tests: physical (RAM only) and virtual (current translation). */
#include <string.h>

#include "core/machine.h"
#include "core/memory.h"
#include "platform/virt/virt_mem.h"

emu_err emu_mem_read_phys(emu_machine *m, uint64_t pa, void *buf, size_t len)
{
    uint8_t *p = mem_ram_ptr(m, pa, len);
    if (!p)
        return EMU_ERR_BAD_ADDRESS;
    memcpy(buf, p, len);
    return EMU_OK;
}

emu_err emu_mem_write_phys(emu_machine *m, uint64_t pa, const void *buf, size_t len)
{
    uint8_t *p = mem_ram_ptr(m, pa, len);
    if (!p)
        return EMU_ERR_BAD_ADDRESS;
    memcpy(p, buf, len);
    return EMU_OK;
}

/* Walk [va, va+len) page by page; copy_out selects the direction. */
static emu_err virt_copy(emu_machine *m, uint64_t va, uint8_t *buf, size_t len, bool copy_out)
{
    if (m->arch == EMU_ARCH_AARCH64)
        return virt_copy_virt(m, va, buf, len, copy_out);
    while (len) {
        uint64_t pa;
        if (x86_translate_debug(&m->cpu, va, &pa) != 0)
            return EMU_ERR_BAD_ADDRESS;
        size_t chunk = X86_PAGE_SIZE - (va & X86_PAGE_MASK);
        if (chunk > len)
            chunk = len;
        uint8_t *p = mem_ram_ptr(m, pa, chunk);
        if (!p)
            return EMU_ERR_BAD_ADDRESS;
        if (copy_out)
            memcpy(buf, p, chunk);
        else
            memcpy(p, buf, chunk);
        va += chunk;
        buf += chunk;
        len -= chunk;
    }
    return EMU_OK;
}

emu_err emu_mem_read_virt(emu_machine *m, uint64_t va, void *buf, size_t len)
{
    return virt_copy(m, va, buf, len, true);
}

emu_err emu_mem_write_virt(emu_machine *m, uint64_t va, const void *buf, size_t len)
{
    return virt_copy(m, va, (uint8_t *)(uintptr_t)buf, len, false);
}
