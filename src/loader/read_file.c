#include "loader/loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Firmware and modules larger than this are refused: no guest RAM could hold them. */
#define LOADER_MAX_FILE (4ull << 30)

emu_err loader_read_file(const char *path, uint8_t **data, size_t *size, char *why, size_t why_len)
{
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "cannot open '%s': %s", path, strerror(errno));
        return EMU_ERR_IO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "'%s' is not a regular file", path);
        fclose(f);
        return EMU_ERR_IO;
    }
    if ((uint64_t)st.st_size > LOADER_MAX_FILE) {
        snprintf(why, why_len, "'%s' is too large (%lld bytes)", path, (long long)st.st_size);
        fclose(f);
        return EMU_ERR_IO;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        fclose(f);
        snprintf(why, why_len, "out of memory reading '%s'", path);
        return EMU_ERR_NOMEM;
    }
    if (len && fread(buf, 1, len, f) != len) {
        snprintf(why, why_len, "cannot read '%s': %s", path, ferror(f) ? strerror(errno) : "short read");
        free(buf);
        fclose(f);
        return EMU_ERR_IO;
    }
    fclose(f);
    *data = buf;
    *size = len;
    return EMU_OK;
}
