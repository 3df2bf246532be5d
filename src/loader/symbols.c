/* ELF symbol tables through libelf (symbols.h). */
#include "loader/symbols.h"

#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A symbol table larger than this is not firmware: refuse it rather than allocate without bound. */
#define LOADER_MAX_SYMBOLS (1u << 20)

static bool wanted(const GElf_Sym *sym, const char *name)
{
    unsigned type = GELF_ST_TYPE(sym->st_info);
    if (!name || !name[0] || sym->st_shndx == SHN_UNDEF)
        return false;
    return type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE;
}

static emu_err read_table(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, loader_symbols *out, char *why,
                          size_t why_len)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || sh->sh_entsize == 0) {
        snprintf(why, why_len, "malformed ELF symbol table: %s", elf_errmsg(-1));
        return EMU_ERR_BAD_ELF;
    }
    size_t n = sh->sh_size / sh->sh_entsize;
    if (n > LOADER_MAX_SYMBOLS) {
        snprintf(why, why_len, "ELF symbol table has %zu entries, more than the %u emu reads", n,
                 LOADER_MAX_SYMBOLS);
        return EMU_ERR_BAD_ELF;
    }
    out->syms = calloc(n ? n : 1, sizeof *out->syms);
    if (!out->syms)
        return EMU_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(data, (int)i, &sym))
            break;      /* a table shorter than its header says: keep what was read */
        const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
        if (!wanted(&sym, name))
            continue;
        char *copy = strdup(name);
        if (!copy)
            return EMU_ERR_NOMEM;
        out->syms[out->count++] = (loader_symbol){ copy, sym.st_value, sym.st_size };
    }
    return EMU_OK;
}

emu_err loader_symbols_read(const uint8_t *image, size_t size, loader_symbols *out, char *why, size_t why_len)
{
    *out = (loader_symbols){ 0 };
    if (elf_version(EV_CURRENT) == EV_NONE)
        return EMU_ERR_BAD_ELF;
    Elf *e = elf_memory((char *)(uintptr_t)image, size);
    if (!e)
        return EMU_ERR_BAD_ELF;
    emu_err err = EMU_OK;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
            continue;
        err = read_table(e, scn, &sh, out, why, why_len);
        break;          /* an executable has at most one SHT_SYMTAB */
    }
    elf_end(e);
    if (err != EMU_OK)
        loader_symbols_free(out);
    return err;
}

void loader_symbols_free(loader_symbols *syms)
{
    for (size_t i = 0; i < syms->count; i++)
        free(syms->syms[i].name);
    free(syms->syms);
    *syms = (loader_symbols){ 0 };
}

int loader_symbols_find(const loader_symbols *syms, const char *name, uint64_t *value)
{
    for (size_t i = 0; i < syms->count; i++) {
        if (strcmp(syms->syms[i].name, name) == 0) {
            *value = syms->syms[i].value;
            return 0;
        }
    }
    return -1;
}
