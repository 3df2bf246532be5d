# emu_aarch64_firmware(NAME SOURCES src... [DEFINES d...]): build NAME.elf in the current
# binary directory, an AArch64 ELF that QEMU's `-M virt -kernel` and emu both
# load at 0x40080000. Compiled with the aarch64-linux-gnu cross compiler as
# freestanding code with the shared entry (boot/) and library (lib/).
# -mgeneral-regs-only keeps the compiler off the FP registers (FP access is
# trapped until a test enables it); -mstrict-align because with the MMU off
# every data access is Device memory, where unaligned accesses fault.

find_program(EMU_A64_CC NAMES aarch64-linux-gnu-gcc REQUIRED)

set(EMU_AARCH64_FIRMWARE_DIR ${CMAKE_CURRENT_LIST_DIR})

set(EMU_AARCH64_FIRMWARE_CFLAGS
    -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-pic -fno-pie
    -mgeneral-regs-only -mstrict-align -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
    -I${EMU_AARCH64_FIRMWARE_DIR})

set(EMU_AARCH64_FIRMWARE_SHARED
    ${EMU_AARCH64_FIRMWARE_DIR}/boot/start.S
    ${EMU_AARCH64_FIRMWARE_DIR}/boot/vectors.S
    ${EMU_AARCH64_FIRMWARE_DIR}/lib/uart.c
    ${EMU_AARCH64_FIRMWARE_DIR}/lib/psci.c)

function(emu_aarch64_firmware name)
  cmake_parse_arguments(PARSE_ARGV 1 FW "" "" "SOURCES;DEFINES")
  set(defines)
  foreach(d ${FW_DEFINES})
    list(APPEND defines -D${d})
  endforeach()
  set(workdir ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir)
  set(objects)
  foreach(src ${EMU_AARCH64_FIRMWARE_SHARED} ${FW_SOURCES})
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${src})
    string(REPLACE "/" "_" flat ${rel})
    set(obj ${workdir}/${flat}.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${workdir}
      COMMAND ${EMU_A64_CC} ${EMU_AARCH64_FIRMWARE_CFLAGS} ${defines} -MD -MF ${obj}.d -c ${src} -o ${obj}
      DEPENDS ${src}
      DEPFILE ${obj}.d
      COMMENT "Compiling AArch64 firmware ${name}: ${rel}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(linker_script ${EMU_AARCH64_FIRMWARE_DIR}/boot/link.ld)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${EMU_A64_CC} -nostdlib -static -Wl,--build-id=none -Wl,-z,max-page-size=0x1000
            -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T ${linker_script} -o ${output} ${objects}
    DEPENDS ${objects} ${linker_script}
    COMMENT "Linking AArch64 firmware ${name}.elf"
    VERBATIM)
  add_custom_target(firmware_aarch64_${name} ALL DEPENDS ${output})
endfunction()
