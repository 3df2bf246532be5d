# emu_x86_64_multiboot_firmware(NAME SOURCES src... [DEFINES MACRO...]): build
# NAME.elf in the current binary directory, a multiboot v1 kernel that QEMU's
# -kernel and emu both load; each MACRO is passed to the compiler as -DMACRO. The sources are compiled with the host gcc as freestanding
# 64-bit code together with the shared entry (boot/multiboot.S) and library
# (lib/), linked as ELF64 at 1 MiB, then converted with
# `objcopy -O elf32-i386` because QEMU's multiboot loader accepts only ELF32.
# The ELF64 link output stays next to it as NAME.dir/NAME.elf64 (symbols for
# debugging). Include it from every directory that uses it: the variables
# below are directory-scoped.

find_program(EMU_FIRMWARE_CC NAMES gcc REQUIRED)
find_program(EMU_FIRMWARE_LD NAMES ld REQUIRED)
find_program(EMU_FIRMWARE_OBJCOPY NAMES objcopy REQUIRED)

set(EMU_X86_64_FIRMWARE_DIR ${CMAKE_CURRENT_LIST_DIR})

set(EMU_X86_64_FIRMWARE_CFLAGS
    -m64 -std=gnu11 -O2 -g
    -ffreestanding -nostdlib -fno-pic -fno-pie -mno-red-zone
    -mgeneral-regs-only -fno-stack-protector -fcf-protection=none
    -fno-asynchronous-unwind-tables
    # memmove's byte loop must not be turned back into a call to memmove.
    -fno-tree-loop-distribute-patterns
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
    -I${EMU_X86_64_FIRMWARE_DIR})

set(EMU_X86_64_FIRMWARE_SHARED
    ${EMU_X86_64_FIRMWARE_DIR}/boot/multiboot.S
    ${EMU_X86_64_FIRMWARE_DIR}/lib/exit.c
    ${EMU_X86_64_FIRMWARE_DIR}/lib/format.c
    ${EMU_X86_64_FIRMWARE_DIR}/lib/serial.c
    ${EMU_X86_64_FIRMWARE_DIR}/lib/string.c)

# The entry code (entry/): GDT/TSS, IDT, the 256 vector stubs with their
# common save path, the SYSCALL and paranoid NMI entries, per-CPU area and
# page tables. Add it to SOURCES of the images that take traps.
set(EMU_X86_64_FIRMWARE_ENTRY
    ${EMU_X86_64_FIRMWARE_DIR}/entry/gdt.c
    ${EMU_X86_64_FIRMWARE_DIR}/entry/idt.c
    ${EMU_X86_64_FIRMWARE_DIR}/entry/nmi.S
    ${EMU_X86_64_FIRMWARE_DIR}/entry/paging.c
    ${EMU_X86_64_FIRMWARE_DIR}/entry/percpu.c
    ${EMU_X86_64_FIRMWARE_DIR}/entry/syscall.S
    ${EMU_X86_64_FIRMWARE_DIR}/entry/user.S
    ${EMU_X86_64_FIRMWARE_DIR}/entry/vectors.S)

function(emu_x86_64_multiboot_firmware name)
  cmake_parse_arguments(PARSE_ARGV 1 FW "" "" "SOURCES;DEFINES")
  set(workdir ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir)
  list(TRANSFORM FW_DEFINES PREPEND -D)
  set(objects)
  foreach(src ${EMU_X86_64_FIRMWARE_SHARED} ${FW_SOURCES})
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${src})
    string(REPLACE "/" "_" flat ${rel})
    set(obj ${workdir}/${flat}.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${workdir}
      COMMAND ${EMU_FIRMWARE_CC} ${EMU_X86_64_FIRMWARE_CFLAGS} ${FW_DEFINES}
              -MD -MF ${obj}.d -c ${src} -o ${obj}
      DEPENDS ${src}
      DEPFILE ${obj}.d
      COMMENT "Compiling firmware ${name}: ${rel}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()

  set(linker_script ${EMU_X86_64_FIRMWARE_DIR}/boot/link.ld)
  set(elf64 ${workdir}/${name}.elf64)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(
    OUTPUT ${output} ${elf64}
    COMMAND ${EMU_FIRMWARE_LD} -m elf_x86_64 -nostdlib -static
            -z max-page-size=0x1000 -z noexecstack
            -T ${linker_script} -o ${elf64} ${objects}
    COMMAND ${EMU_FIRMWARE_OBJCOPY} -O elf32-i386 ${elf64} ${output}
    DEPENDS ${objects} ${linker_script}
    COMMENT "Linking multiboot firmware ${name}.elf"
    VERBATIM)
  add_custom_target(firmware_${name} ALL DEPENDS ${output})
endfunction()
