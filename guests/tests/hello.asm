; hello.asm - Multiboot (v1) ELF32 kernel: anillo's default guest.
; @format: elf
;
; Assembled with "nasm -f bin": this file writes its own ELF header and one
; PT_LOAD program header (no linker needed). The image is loaded at 1 MiB.
;
; Checks the Multiboot hand-off: EAX = 0x2BADB002, EBX points to a Multiboot
; information structure whose flags have bit 0 set (mem_lower/mem_upper
; valid: our header sets flag bit 1, which obliges the loader to provide
; them) with a plausible mem_lower (1..640 KiB). Then prints
; "Hello from anillo!" on COM1 (16550 at 0x3F8: wait for LSR.THRE, bit 5 of
; 0x3FD, then write THR; the debug console 0xE9 carries only failures), and stops with
; cli; hlt (anillo's CLI ends the run there with status 0). A failed check
; prints "FAIL hello: ..." and exits through port 0xF4 with the FAIL status.
;
; References: Multiboot Specification 0.6.96, §3.1 "OS image format" (header
; magic/flags/checksum, within the first 8 KiB, 32-bit aligned), §3.2
; "Machine state" (EAX, EBX, flat CS/DS, no stack), §3.3 "Boot information
; format"; System V ABI / ELF (ELF32 header and program header layout);
; PC16550D data sheet (LSR bit 5, THR empty).

%define TEST_NAME "hello"
%include "exit.inc"

LOAD_ADDR       equ 0x00100000
STACK_SIZE      equ 0x4000
MB_MAGIC        equ 0x1BADB002
MB_FLAGS        equ 0x00000003      ; bit 0: page-align modules, bit 1: memory info
MB_BOOT_MAGIC   equ 0x2BADB002      ; in EAX at entry
COM1            equ 0x3F8

        bits    32
        org     LOAD_ADDR

; ---------------------------------------------------------------- ELF header
elf_header:
        db      0x7F, "ELF"
        db      1                   ; ELFCLASS32
        db      1                   ; ELFDATA2LSB
        db      1                   ; EV_CURRENT
        db      0                   ; ELFOSABI_SYSV
        times   8 db 0
        dw      2                   ; e_type: ET_EXEC
        dw      3                   ; e_machine: EM_386
        dd      1                   ; e_version
        dd      _start              ; e_entry
        dd      program_header - elf_header ; e_phoff
        dd      0                   ; e_shoff (no section headers)
        dd      0                   ; e_flags
        dw      elf_header_end - elf_header ; e_ehsize (52)
        dw      program_header_end - program_header ; e_phentsize (32)
        dw      1                   ; e_phnum
        dw      40                  ; e_shentsize
        dw      0                   ; e_shnum
        dw      0                   ; e_shstrndx
elf_header_end:

program_header:
        dd      1                   ; p_type: PT_LOAD
        dd      0                   ; p_offset: the whole file...
        dd      LOAD_ADDR           ; p_vaddr
        dd      LOAD_ADDR           ; p_paddr: ... loaded at 1 MiB
        dd      file_end - elf_header ; p_filesz
        dd      mem_end - elf_header  ; p_memsz (the rest is the zeroed stack)
        dd      7                   ; p_flags: R W X
        dd      0x1000              ; p_align
program_header_end:

; ---------------------------------------------------------- Multiboot header
        align   4
multiboot_header:
        dd      MB_MAGIC
        dd      MB_FLAGS
        dd      -(MB_MAGIC + MB_FLAGS)

; ---------------------------------------------------------------- the kernel
_start:
        cli
        mov     esp, stack_top
        cld

        CHECK_EQ eax, MB_BOOT_MAGIC, "EAX is not the Multiboot boot magic"
        test    ebx, ebx
        jnz     .have_mbi
        FAIL    "EBX (Multiboot information pointer) is 0"
.have_mbi:
        CHECK_MASK dword [ebx], 1, 1, "Multiboot info flags: bit 0 (mem_lower/mem_upper) not set"
        mov     eax, [ebx + 4]      ; mem_lower, KiB
        test    eax, eax
        jz      .bad_lower
        cmp     eax, 640
        jbe     .lower_ok
.bad_lower:
        DBG_PUTS "FAIL ", TEST_NAME, ": implausible Multiboot mem_lower 0x"
        DBG_HEX32 eax
        DBG_PUTS " KiB", 10
        FAIL_EXIT
.lower_ok:

        mov     esi, greeting
.next:  lodsb
        test    al, al
        jz      .done
        call    com1_putc
        jmp     .next
.done:
.halt:  cli
        hlt
        jmp     .halt

; com1_putc: AL = byte. Polls LSR.THRE (bounded, so a missing UART cannot
; hang the kernel), then writes THR.
com1_putc:
        push    eax
        push    ecx
        push    edx
        mov     ah, al
        mov     ecx, 100000
        mov     dx, COM1 + 5        ; LSR
.wait:  in      al, dx
        test    al, 0x20            ; THRE
        jnz     .ready
        dec     ecx
        jnz     .wait
.ready: mov     dx, COM1            ; THR
        mov     al, ah
        out     dx, al
        pop     edx
        pop     ecx
        pop     eax
        ret

greeting:
        db      "Hello from anillo!", 10, 0

        align   16
file_end:
stack_bottom    equ file_end
stack_top       equ file_end + STACK_SIZE
mem_end         equ stack_top
