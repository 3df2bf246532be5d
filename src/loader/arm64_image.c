/*
 * The Linux arm64 Image header (Documentation/arch/arm64/booting.rst,
 * "Call the kernel image"): 64 bytes, little-endian, with the magic
 * "ARM\x64" at offset 0x38. Only the header is read here; placement is in
 * arm64_boot.c.
 */
#include "loader/arm64_boot.h"

#include <string.h>

#define ARM64_IMAGE_TEXT_OFFSET_AT 8
#define ARM64_IMAGE_SIZE_AT        16
#define ARM64_IMAGE_FLAGS_AT       24

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

bool arm64_image_parse(const uint8_t *image, size_t size, arm64_image_header *hdr)
{
    memset(hdr, 0, sizeof *hdr);
    if (size < ARM64_IMAGE_HEADER_SIZE ||
        memcmp(image + ARM64_IMAGE_MAGIC_OFFSET, ARM64_IMAGE_MAGIC, 4) != 0)
        return false;
    hdr->text_offset = le64(image + ARM64_IMAGE_TEXT_OFFSET_AT);
    hdr->image_size = le64(image + ARM64_IMAGE_SIZE_AT);
    hdr->flags = le64(image + ARM64_IMAGE_FLAGS_AT);
    return true;
}
