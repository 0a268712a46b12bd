; compute.asm - Multiboot (v1) ELF32 kernel: a fixed CPU-bound workload.
; @format: elf
;
; Used by the interpreter benchmark (npm run bench) and as a functional test:
; it fills a 64 KiB buffer from a linear congruential generator, computes a
; bitwise CRC-32 (reflected polynomial 0xEDB88320) over it ROUNDS times, and
; counts the primes below 200000 with a byte sieve. It prints
; "crc=XXXXXXXX primes=XXXXXXXX" on the debug console and exits PASS; the
; test recomputes both numbers in JavaScript. ROUNDS is 4, or the decimal
; number after "rounds=" on the Multiboot command line.
;
; References: Multiboot Specification 0.6.96 §3.1-3.3 (header, machine
; state, boot information: flags bit 2 = cmdline valid).

%define TEST_NAME "compute"
%include "exit.inc"

LOAD_ADDR       equ 0x00100000
MB_MAGIC        equ 0x1BADB002
MB_FLAGS        equ 0x00000003
BUF_SIZE        equ 0x10000
SIEVE_N         equ 200000
DEFAULT_ROUNDS  equ 4

        bits    32
        org     LOAD_ADDR

elf_header:
        db      0x7F, "ELF", 1, 1, 1, 0
        times   8 db 0
        dw      2, 3
        dd      1, _start, program_header - elf_header, 0, 0
        dw      elf_header_end - elf_header, program_header_end - program_header, 1, 40, 0, 0
elf_header_end:
program_header:
        dd      1, 0, LOAD_ADDR, LOAD_ADDR, file_end - elf_header, mem_end - elf_header, 7, 0x1000
program_header_end:

        align   4
        dd      MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

_start:
        cli
        mov     esp, stack_top
        cld
        ; ROUNDS from "rounds=N" on the command line, if any.
        mov     dword [rounds], DEFAULT_ROUNDS
        test    dword [ebx], 4
        jz      .fill_start
        mov     esi, [ebx + 16]
.scan:  mov     al, [esi]
        test    al, al
        jz      .fill_start
        cmp     dword [esi], 'roun'
        jne     .scan_next
        cmp     word [esi + 4], 'ds'
        jne     .scan_next
        cmp     byte [esi + 6], '='
        jne     .scan_next
        add     esi, 7
        xor     eax, eax
.digit: movzx   edx, byte [esi]
        sub     edx, '0'
        cmp     edx, 9
        ja      .parsed
        imul    eax, eax, 10
        add     eax, edx
        inc     esi
        jmp     .digit
.parsed:
        test    eax, eax
        jz      .fill_start
        mov     [rounds], eax
        jmp     .fill_start
.scan_next:
        inc     esi
        jmp     .scan

.fill_start:
        mov     edi, buffer
        mov     ecx, BUF_SIZE
        mov     eax, 12345678
.fill:  imul    eax, eax, 1103515245
        add     eax, 12345
        mov     edx, eax
        shr     edx, 16
        mov     [edi], dl
        inc     edi
        dec     ecx
        jnz     .fill

        mov     eax, 0xFFFFFFFF
        mov     ebx, [rounds]
.round: mov     esi, buffer
        mov     ecx, BUF_SIZE
.byte:  movzx   edx, byte [esi]
        xor     al, dl
        mov     edx, 8
.bit:   shr     eax, 1
        jnc     .nopoly
        xor     eax, 0xEDB88320
.nopoly:
        dec     edx
        jnz     .bit
        inc     esi
        dec     ecx
        jnz     .byte
        dec     ebx
        jnz     .round
        not     eax
        mov     [crc], eax

        ; Sieve of Eratosthenes over [0, SIEVE_N): sieve[i] = 1 marks a composite.
        mov     edi, sieve
        mov     ecx, SIEVE_N
        xor     eax, eax
        rep     stosb
        xor     ebp, ebp            ; prime count
        mov     ebx, 2
.outer: cmp     ebx, SIEVE_N
        jae     .counted
        cmp     byte [sieve + ebx], 0
        jne     .next_outer
        inc     ebp
        mov     eax, ebx
        mul     ebx                 ; EDX:EAX = i*i (fits in EAX here)
        cmp     eax, SIEVE_N
        jae     .next_outer
.mark:  mov     byte [sieve + eax], 1
        add     eax, ebx
        cmp     eax, SIEVE_N
        jb      .mark
.next_outer:
        inc     ebx
        jmp     .outer
.counted:
        DBG_PUTS "crc="
        DBG_HEX32 dword [crc]
        DBG_PUTS " primes="
        DBG_HEX32 ebp
        DBG_PUTS 10
        PASS

        align   4
file_end:
        absolute file_end           ; zero-initialised memory beyond the file (p_memsz > p_filesz)
rounds: resd    1
crc:    resd    1
        alignb  16
buffer: resb    BUF_SIZE
sieve:  resb    SIEVE_N
        resb    0x4000
stack_top:
mem_end:
