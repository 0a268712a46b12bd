; paging.asm - 64 KiB BIOS ROM: 32-bit (non-PAE) paging.
;
; Enters protected mode with lib/pm.inc, builds a page directory whose first
; entry maps 0-4 MiB with 4 KiB pages (identity) and whose second entry is a
; 4 MiB PSE page, linear 0x400000 -> physical 0 (supervisor only), enables
; CR4.PSE, CR0.PG and CR0.WP, and checks:
;   * #PF error codes and CR2: not-present read (0) and write (2); write to a
;     read-only page at CPL0 with CR0.WP=1 (3), allowed with CR0.WP=0;
;     from CPL3: read (5) and write (7) of a supervisor page, write to a
;     read-only user page (7), read of a not-present page (4), read through
;     a supervisor-only 4 MiB PDE (5). Saved EIP = the faulting instruction.
;   * accessed/dirty bits: a read sets PTE.A only, a later write sets PTE.D
;     (even though the translation was already cached by the read); a 4 MiB
;     page gets A and D in its PDE; the PDE of a page table gets A.
;   * a 4 MiB PSE page aliases low memory as mapped.
;   * INVLPG takes effect after editing a PTE (remap to another frame, then
;     not-present); a CR3 reload flushes too.
;
; SDM Vol. 3A (classic numbering): §4.3 "32-Bit Paging" (CR4.PSE, PDE.PS),
; §4.6 "Access Rights" (U/S, R/W, CR0.WP), §4.7 "Page-Fault Exceptions"
; (error code bits P, W/R, U/S), §4.8 "Accessed and Dirty Flags", §4.10.4
; "Invalidation of TLBs and Paging-Structure Caches" (INVLPG, MOV to CR3).

%define TEST_NAME "paging"
%include "rom.inc"
%include "pm.inc"

PD              equ 0x20000         ; page directory
PT0             equ 0x21000         ; page table for 0-4 MiB
PTE_P           equ 0x001
PTE_W           equ 0x002
PTE_U           equ 0x004
PTE_A           equ 0x020
PTE_D           equ 0x040
PDE_PS          equ 0x080

PG_NP           equ 0x40000         ; not present
PG_RO           equ 0x41000         ; present, read-only, user
PG_SUP          equ 0x42000         ; present, writable, supervisor
PG_AD           equ 0x43000         ; accessed/dirty test page
PG_REMAP        equ 0x44000         ; INVLPG test page (linear)
PG_OTHER        equ 0x45000         ; the frame it gets remapped to
BIG             equ 0x400000        ; 4 MiB page -> physical 0

%define PTE(lin) (PT0 + ((lin) >> 12) * 4)

        bits    32
kmain:
        DBG_PUTS "paging: in 32-bit protected mode", 10

        ; --- page tables
        mov     edi, PD
        mov     ecx, 1024
        xor     eax, eax
        rep stosd
        mov     edi, PT0                    ; identity 0-4 MiB, user r/w
        mov     eax, PTE_P | PTE_W | PTE_U
        mov     ecx, 1024
.fill:  stosd
        add     eax, 0x1000
        loop    .fill
        mov     dword [PTE(PG_NP)], 0
        mov     dword [PTE(PG_RO)], PG_RO | PTE_P | PTE_U
        mov     dword [PTE(PG_SUP)], PG_SUP | PTE_P | PTE_W
        mov     dword [PD], PT0 | PTE_P | PTE_W | PTE_U
        mov     dword [PD + 4], 0 | PDE_PS | PTE_P | PTE_W  ; supervisor 4 MiB

        mov     dword [PG_RO], 0x0BADF00D
        mov     dword [PG_SUP], 0x5EC0DE00
        mov     dword [PG_REMAP], 0xAAAA0044
        mov     dword [PG_OTHER], 0xBBBB0045

        mov     eax, cr4
        or      eax, 0x10                   ; CR4.PSE
        mov     cr4, eax
        mov     eax, PD
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80010000             ; CR0.PG | CR0.WP
        mov     cr0, eax
        jmp     .paged                      ; (identity mapped: nothing moves)
.paged:
        DBG_PUTS "paging: paging enabled", 10
        mov     eax, cr3
        CHECK_EQ eax, PD, "CR3"
        CHECK_EQ dword [PG_SUP], 0x5EC0DE00, "read through the identity map"

        ; --- not-present read: error code 0 (P=0, W/R=0, U/S=0)
        ARM     .np1_r
.np1:   mov     eax, [PG_NP + 0x123]
.np1_r: EXPECT_FAULT 14, 0, .np1, "#PF not-present read"
        CHECK_EQ dword [rec_cr2], PG_NP + 0x123, "#PF not-present read: CR2"

        ; --- not-present write: error code 2
        ARM     .np2_r
.np2:   mov     dword [PG_NP + 0xFFC], 1
.np2_r: EXPECT_FAULT 14, 2, .np2, "#PF not-present write"
        CHECK_EQ dword [rec_cr2], PG_NP + 0xFFC, "#PF not-present write: CR2"

        ; --- read-only page at CPL0: reads fine, writes fault with CR0.WP=1
        ARM     .ro0_r
        mov     eax, [PG_RO + 8]
.ro0_r: EXPECT_NO_FAULT "CPL0 read of a read-only page"
        ARM     .ro1_r
.ro1:   mov     dword [PG_RO + 0x10], 0x12345678
.ro1_r: EXPECT_FAULT 14, 3, .ro1, "#PF CPL0 write to read-only page, CR0.WP=1"
        CHECK_EQ dword [rec_cr2], PG_RO + 0x10, "#PF read-only write: CR2"

        ; --- CR0.WP=0: the supervisor may write read-only pages
        mov     eax, cr0
        and     eax, ~0x10000
        mov     cr0, eax
        ARM     .ro2_r
        mov     dword [PG_RO + 0x10], 0x12345678
.ro2_r: EXPECT_NO_FAULT "CPL0 write to read-only page with CR0.WP=0"
        CHECK_EQ dword [PG_RO + 0x10], 0x12345678, "value written with CR0.WP=0"
        mov     eax, cr0
        or      eax, 0x10000
        mov     cr0, eax

        ; --- accessed / dirty bits
        mov     dword [PTE(PG_AD)], PG_AD | PTE_P | PTE_W | PTE_U
        invlpg  [PG_AD]
        mov     eax, [PG_AD]
        CHECK_MASK dword [PTE(PG_AD)], PTE_A | PTE_D, PTE_A, "PTE A/D after a read"
        mov     dword [PG_AD], 1            ; translation is cached without D
        CHECK_MASK dword [PTE(PG_AD)], PTE_A | PTE_D, PTE_A | PTE_D, "PTE A/D after a write"
        and     dword [PD], ~PTE_A
        mov     eax, cr3                    ; flush: the next walk sets PDE.A
        mov     cr3, eax
        mov     eax, [PG_AD]
        CHECK_MASK dword [PD], PTE_A, PTE_A, "PDE.A after a walk"

        ; --- 4 MiB page: linear BIG + x -> physical x
        CHECK_MASK dword [PD + 4], PTE_A | PTE_D, 0, "4 MiB PDE A/D before use"
        mov     eax, [BIG + PG_OTHER]
        CHECK_EQ eax, 0xBBBB0045, "read through the 4 MiB page"
        CHECK_MASK dword [PD + 4], PTE_A | PTE_D, PTE_A, "4 MiB PDE A/D after a read"
        mov     dword [BIG + PG_OTHER + 0x10], 0xC0FFEE00
        CHECK_EQ dword [PG_OTHER + 0x10], 0xC0FFEE00, "write through the 4 MiB page"
        CHECK_MASK dword [PD + 4], PTE_A | PTE_D, PTE_A | PTE_D, "4 MiB PDE A/D after a write"
        ARM     .big_r                      ; physical 0x40000 is reachable
        mov     eax, [BIG + PG_NP]          ; through the big page even though
.big_r: EXPECT_NO_FAULT "read through the 4 MiB page"   ; its 4K alias is not present

        ; --- INVLPG after editing a PTE
        CHECK_EQ dword [PG_REMAP], 0xAAAA0044, "INVLPG page before the remap"
        mov     dword [PTE(PG_REMAP)], PG_OTHER | PTE_P | PTE_W | PTE_U
        invlpg  [PG_REMAP]
        CHECK_EQ dword [PG_REMAP], 0xBBBB0045, "INVLPG page after the remap"
        mov     dword [PTE(PG_REMAP)], 0
        invlpg  [PG_REMAP]
        ARM     .inv_r
.inv:   mov     eax, [PG_REMAP + 4]
.inv_r: EXPECT_FAULT 14, 0, .inv, "#PF after INVLPG of a cleared PTE"
        CHECK_EQ dword [rec_cr2], PG_REMAP + 4, "#PF after INVLPG: CR2"
        mov     dword [PTE(PG_REMAP)], PG_REMAP | PTE_P | PTE_W | PTE_U
        mov     eax, cr3
        mov     cr3, eax
        CHECK_EQ dword [PG_REMAP], 0xAAAA0044, "page after restoring the PTE and reloading CR3"

        ; --- user-mode accesses
        DBG_PUTS "paging: entering CPL3", 10
        mov     eax, user_tests
        mov     edx, USTACK_TOP
        call    enter_user
        CHECK_EQ dword [sys_count], 1, "returned from CPL3 by the exit system call"
        CHECK_EQ dword [PG_SUP], 0x5EC0DE00, "supervisor page unchanged by CPL3"
        CHECK_EQ dword [PG_RO + 0x20], 0, "read-only page unchanged by CPL3"

        PASS

; CPL3 part. Everything but PG_SUP, PG_NP and the 4 MiB page is user
; accessible, including this ROM, the user stack and the rec_* variables.
user_tests:
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS at CPL3"

        ARM     .s1_r
.s1:    mov     eax, [PG_SUP + 8]
.s1_r:  EXPECT_FAULT 14, 5, .s1, "#PF CPL3 read of a supervisor page"
        CHECK_EQ dword [rec_cr2], PG_SUP + 8, "#PF CPL3 supervisor read: CR2"
        CHECK_EQ dword [rec_cs], UCODE | 3, "#PF from CPL3: saved CS"

        ARM     .s2_r
.s2:    mov     dword [PG_SUP + 12], 0
.s2_r:  EXPECT_FAULT 14, 7, .s2, "#PF CPL3 write to a supervisor page"
        CHECK_EQ dword [rec_cr2], PG_SUP + 12, "#PF CPL3 supervisor write: CR2"

        ARM     .r0_r
        mov     eax, [PG_RO]
.r0_r:  EXPECT_NO_FAULT "CPL3 read of a read-only user page"
        ARM     .r1_r
.r1:    mov     dword [PG_RO + 0x20], 1
.r1_r:  EXPECT_FAULT 14, 7, .r1, "#PF CPL3 write to a read-only page"
        CHECK_EQ dword [rec_cr2], PG_RO + 0x20, "#PF CPL3 read-only write: CR2"

        ARM     .n1_r
.n1:    mov     al, [PG_NP + 0xFFF]
.n1_r:  EXPECT_FAULT 14, 4, .n1, "#PF CPL3 not-present read"
        CHECK_EQ dword [rec_cr2], PG_NP + 0xFFF, "#PF CPL3 not-present read: CR2"

        ARM     .b1_r
.b1:    mov     eax, [BIG + 0x1000]
.b1_r:  EXPECT_FAULT 14, 5, .b1, "#PF CPL3 read through a supervisor 4 MiB page"
        CHECK_EQ dword [rec_cr2], BIG + 0x1000, "#PF CPL3 4 MiB page: CR2"

        xor     eax, eax                    ; back to the kernel
        int     0x80
        FAIL    "exit system call returned to CPL3"

        ROM_END
