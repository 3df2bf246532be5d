/* pkdebug's paging (paging.c): keyed 4 KiB pages at 2 MiB, identity elsewhere. */
#ifndef FW_PKDEBUG_PAGING_H
#define FW_PKDEBUG_PAGING_H

#include <stdbool.h>

#define KEYED_REGION  0x200000ull   /* 4 KiB pages from here; the image must end below */
#define PAGE_FRAMES   0x300000ull   /* the frames the four keyed pages map */
#define USER_VA       0x200000ull   /* user, writable, key 1 */
#define SUPERVISOR_VA 0x201000ull   /* supervisor, writable, key 2 */
#define READONLY_VA   0x202000ull   /* user, read-only, key 1 */
#define CODE_VA       0x203000ull   /* user, writable, key 1: holds a RET */
#define CODE_FRAME    (PAGE_FRAMES + 0x3000ull)
#define USER_KEY       1
#define SUPERVISOR_KEY 2

/* Build the tables and load CR3; false if the image reaches KEYED_REGION. */
bool paging_init(void);

#endif
