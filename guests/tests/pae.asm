; pae.asm - 64 KiB BIOS ROM: PAE paging (CR4.PAE, 64-bit entries, PDPT).
;
; Enters protected mode with lib/pm.inc, builds a PAE hierarchy (a 4-entry
; PDPT, page directories of 512 64-bit PDEs, a page table of 512 64-bit
; PTEs), enables CR4.PAE + CR4.PGE, CR0.PG + CR0.WP, and checks:
;   * CPUID.1:EDX reports PAE and PGE;
;   * translation: 4 KiB pages (PDPTE -> PDE -> PTE, 9-bit indexes) and
;     2 MiB pages (PDE.PS = 1); PDPTE 3 maps linear 0xC0000000 (index from
;     bits 31:30) onto physical 0;
;   * accessed/dirty bits in 64-bit entries: a read sets PTE.A (bit 5) only,
;     a later write sets PTE.D (bit 6); A and D in a 2 MiB PDE; PDE.A of a
;     page table's PDE; the high dwords stay 0 and the PDPTEs are not written
;     (they have no A bit: bits 5-8 are reserved);
;   * #PF error codes and CR2: not-present read (0) and write (2), write to a
;     read-only page at CPL0 with CR0.WP=1 (3), and the reserved-bit cases
;     the SDM defines for every PAE processor without XD support or with
;     IA32_EFER.NXE = 0: bit 63 of a PTE (RSVD|P = 9 on a read, 0xB on a
;     write) and bit 13 of a 2 MiB PDE (bits 20:13 are reserved): 9;
;   * MOV to CR3 with a present PDPTE that has a reserved bit (bit 1) set:
;     #GP(0), CR3 unchanged (PDPTEs are loaded by MOV to CR3 in PAE mode);
;   * TLB: after PTE edits, a CR3 reload takes the new non-global mapping;
;     INVLPG takes the new global one; toggling CR4.PGE flushes global
;     entries; and a global (PTE.G, CR4.PGE=1) translation survives the CR3
;     reload (checked last: see below).
;
; Whether a global translation actually survives MOV to CR3 is what Bochs
; and real P6-class processors do; the SDM permits but does not require it
; (a TLB entry may be dropped at any time). QEMU 7.2 (TCG) flushes its whole
; TLB on MOV to CR3 and fails that last check.
;
; SDM Vol. 3A (classic numbering): §4.1 "Paging Modes and Control Bits",
; §4.4 "PAE Paging" (§4.4.1 PDPTE registers, loaded by MOV to CR3, #GP(0) on
; reserved bits; §4.4.2 Tables 4-8 to 4-11 entry formats and reserved bits),
; §4.6 "Access Rights" (CR0.WP), §4.7 "Page-Fault Exceptions" (error code P,
; W/R, RSVD), §4.8 "Accessed and Dirty Flags", §4.10.2.4 "Global Pages",
; §4.10.4.1 "Operations that Invalidate TLBs and Paging-Structure Caches"
; (MOV to CR3 keeps global entries; INVLPG; changing CR4.PGE).

%define TEST_NAME "pae"
%include "rom.inc"
%include "pm.inc"

PDPT            equ 0x20000         ; 32-byte aligned
PD0             equ 0x21000         ; linear 0x00000000-0x3FFFFFFF
PD3             equ 0x22000         ; linear 0xC0000000-0xFFFFFFFF
PT0             equ 0x23000         ; linear 0x000000-0x1FFFFF, 4 KiB pages
PDPT_BAD        equ 0x24000         ; a PDPT with a reserved bit set

P               equ 0x001
RW              equ 0x002
ACC             equ 0x020
DIRTY           equ 0x040
PS              equ 0x080
PG_GLOBAL       equ 0x100

PG_NP           equ 0x38000         ; not present
PG_RO           equ 0x39000         ; read-only
PG_AD           equ 0x3A000         ; A/D test page
PG_RSVD         equ 0x3B000         ; bit 63 set in its PTE
PG_G            equ 0x3C000         ; global, -> FR_G1 then FR_G2
PG_NG           equ 0x3D000         ; not global, -> FR_N1 then FR_N2
FR_G1           equ 0x40000
FR_G2           equ 0x41000
FR_N1           equ 0x42000
FR_N2           equ 0x43000
BIG_ID          equ 0x200000        ; 2 MiB page, identity
BIG_RSVD        equ 0x400000        ; 2 MiB page, PDE bit 13 set
BIG_ALIAS       equ 0x600000        ; 2 MiB page -> physical 0x200000
HIGH_ALIAS      equ 0xC0000000      ; PDPTE 3 -> PD3[0]: 2 MiB page -> physical 0

%define PTE_LO(lin) dword [PT0 + ((lin) >> 12) * 8]
%define PTE_HI(lin) dword [PT0 + ((lin) >> 12) * 8 + 4]
%define PDE0_LO(i)  dword [PD0 + (i) * 8]
%define PDE0_HI(i)  dword [PD0 + (i) * 8 + 4]

[absolute 0x0C00]
g_kept          resd 1              ; what PG_G read after the CR3 reload
pdpte0_seen     resd 1              ; PDPTE 0 after the first walks
rsvd_err        resd 3              ; error codes of the reserved-bit #PFs
        section .text

; EXPECT_PF error, linear, "what" - after ARM; also checks CR2
%macro EXPECT_PF 4+
        EXPECT_FAULT 14, %1, %3, %4
        CHECK_EQ dword [rec_cr2], %2, %4, ": CR2"
%endmacro

; EXPECT_PF_RSVD error, linear, saved-EIP, slot, "what" - like EXPECT_PF but
; the P bit (bit 0) of the error code is only checked at the end (QEMU 7.2
; clears it); the full error code is kept in rsvd_err + slot * 4.
%macro EXPECT_PF_RSVD 5+
        mov     dword [rec_resume], 0
        CHECK_EQ dword [rec_count], 1, %5, ": exception count"
        CHECK_EQ dword [rec_vec], 14, %5, ": vector"
        CHECK_MASK dword [rec_err], ~1, (%1) & ~1, %5, ": error code bits 31:1"
        CHECK_EQ dword [rec_eip], %3, %5, ": saved EIP"
        CHECK_EQ dword [rec_cr2], %2, %5, ": CR2"
        mov     eax, [rec_err]
        mov     [rsvd_err + (%4) * 4], eax
%endmacro

; CHECK_RSVD_ERR slot, error, "what" - the deferred full error-code check
%macro CHECK_RSVD_ERR 3+
        CHECK_EQ dword [rsvd_err + (%1) * 4], %2, %3, ": error code (RSVD implies P = 1, SDM 4.7)"
%endmacro

        bits    32
kmain:
        mov     eax, 1
        cpuid
        CHECK_MASK edx, (1 << 6) | (1 << 13), (1 << 6) | (1 << 13), "CPUID.1:EDX PAE and PGE"

        ; --- paging structures
        mov     edi, PDPT
        mov     ecx, 0x5000 / 4             ; PDPT, PD0, PD3, PT0, PDPT_BAD
        xor     eax, eax
        rep stosd
        mov     dword [PDPT + 0 * 8], PD0 | P
        mov     dword [PDPT + 3 * 8], PD3 | P
        mov     edi, PT0                    ; identity 0-2 MiB, r/w
        mov     eax, P | RW
        mov     ecx, 512
.fill:  mov     [edi], eax
        mov     dword [edi + 4], 0
        add     eax, 0x1000
        add     edi, 8
        loop    .fill
        mov     PTE_LO(PG_NP), 0
        mov     PTE_LO(PG_RO), PG_RO | P
        mov     PTE_HI(PG_RSVD), 0x80000000 ; bit 63
        mov     PTE_LO(PG_G), FR_G1 | P | RW | PG_GLOBAL
        mov     PTE_LO(PG_NG), FR_N1 | P | RW
        mov     PDE0_LO(0), PT0 | P | RW
        mov     PDE0_LO(1), BIG_ID | PS | P | RW
        mov     PDE0_LO(2), BIG_RSVD | (1 << 13) | PS | P | RW
        mov     PDE0_LO(3), BIG_ID | PS | P | RW          ; alias of 0x200000
        mov     dword [PD3], 0 | PS | P | RW              ; 0xC0000000 -> 0
        ; the same hierarchy with a reserved bit in PDPTE 3
        mov     dword [PDPT_BAD + 0 * 8], PD0 | P
        mov     dword [PDPT_BAD + 3 * 8], PD3 | P | 0x2   ; bit 1 reserved

        mov     dword [PG_RO], 0x0000A0A0
        mov     dword [FR_G1], 0x6161
        mov     dword [FR_G2], 0x6262
        mov     dword [FR_N1], 0x4E31
        mov     dword [FR_N2], 0x4E32

        mov     eax, PDPT
        mov     cr3, eax
        mov     eax, cr4
        or      eax, 0x20 | 0x80            ; CR4.PAE | CR4.PGE
        mov     cr4, eax
        mov     eax, cr0
        or      eax, 0x80010000             ; CR0.PG | CR0.WP
        mov     cr0, eax
        jmp     .paged
.paged: DBG_PUTS "pae: PAE paging on", 10

        ; --- structure bits after the first walks (code fetch, stack)
        CHECK_MASK PDE0_LO(0), ACC, ACC, "PDE 0 (page table) accessed"
        mov     eax, [PDPT]                 ; checked at the end
        mov     [pdpte0_seen], eax

        ; --- translations
        mov     dword [HIGH_ALIAS + scratch], 0xC0DE0003
        CHECK_EQ dword [scratch], 0xC0DE0003, "write through 0xC0000000 (PDPTE 3, 2 MiB page) reaches physical 0"
        mov     dword [BIG_ALIAS + 0x10], 0x2B16A11A
        CHECK_EQ dword [BIG_ID + 0x10], 0x2B16A11A, "2 MiB alias 0x600000 and identity 0x200000 share a frame"

        ; --- A/D in a 4 KiB PTE
        CHECK_MASK PTE_LO(PG_AD), ACC | DIRTY, 0, "PTE A/D clear before use"
        mov     eax, [PG_AD]
        CHECK_MASK PTE_LO(PG_AD), ACC | DIRTY, ACC, "read sets PTE.A only"
        mov     dword [PG_AD], 1
        CHECK_MASK PTE_LO(PG_AD), ACC | DIRTY, ACC | DIRTY, "write sets PTE.D"
        CHECK_EQ PTE_HI(PG_AD), 0, "PTE high dword after A/D updates"
        ; --- A/D in a 2 MiB PDE (entry 3 was used for the write above,
        ;     entry 1 for the read)
        CHECK_MASK PDE0_LO(1), ACC | DIRTY, ACC, "2 MiB PDE 1: read sets A only"
        CHECK_MASK PDE0_LO(3), ACC | DIRTY, ACC | DIRTY, "2 MiB PDE 3: write sets A and D"
        CHECK_EQ PDE0_HI(3), 0, "2 MiB PDE high dword after A/D updates"

        ; --- #PF error codes
        ARM     .np1_r
.np1:   mov     eax, [PG_NP + 0x123]
.np1_r: EXPECT_PF 0, PG_NP + 0x123, .np1, "#PF not-present read"
        ARM     .np2_r
.np2:   mov     dword [PG_NP + 0x124], 0
.np2_r: EXPECT_PF 2, PG_NP + 0x124, .np2, "#PF not-present write"
        ARM     .ro_r
.ro:    mov     dword [PG_RO + 8], 0
.ro_r:  EXPECT_PF 3, PG_RO + 8, .ro, "#PF CPL0 write to read-only with CR0.WP=1"
        CHECK_EQ dword [PG_RO], 0x0000A0A0, "read-only page still readable"
        ARM     .rs1_r
.rs1:   mov     eax, [PG_RSVD + 0x10]
.rs1_r: EXPECT_PF_RSVD 9, PG_RSVD + 0x10, .rs1, 0, "#PF RSVD read, PTE bit 63 set"
        ARM     .rs2_r
.rs2:   mov     dword [PG_RSVD + 0x14], 0
.rs2_r: EXPECT_PF_RSVD 0xB, PG_RSVD + 0x14, .rs2, 1, "#PF RSVD write, PTE bit 63 set"
        ARM     .rs3_r
.rs3:   mov     eax, [BIG_RSVD + 0x1234]
.rs3_r: EXPECT_PF_RSVD 9, BIG_RSVD + 0x1234, .rs3, 2, "#PF RSVD read, 2 MiB PDE bit 13 set"
        DBG_PUTS "pae: #PF error codes ok", 10

        ; --- global pages and TLB invalidation
        CHECK_EQ dword [PG_G], 0x6161, "global page, first frame"
        CHECK_EQ dword [PG_NG], 0x4E31, "non-global page, first frame"
        mov     PTE_LO(PG_G), FR_G2 | P | RW | PG_GLOBAL   ; no INVLPG
        mov     PTE_LO(PG_NG), FR_N2 | P | RW
        mov     eax, cr3
        mov     cr3, eax                    ; flushes non-global entries only
        mov     eax, [PG_G]
        mov     [g_kept], eax               ; checked at the end
        CHECK_EQ dword [PG_NG], 0x4E32, "non-global page remapped after the CR3 reload"
        invlpg  [PG_G]
        CHECK_EQ dword [PG_G], 0x6262, "global page remapped after INVLPG"
        ; re-cache the global page on FR_G1, edit the PTE, toggle CR4.PGE
        mov     PTE_LO(PG_G), FR_G1 | P | RW | PG_GLOBAL
        invlpg  [PG_G]
        CHECK_EQ dword [PG_G], 0x6161, "global page back on the first frame"
        mov     PTE_LO(PG_G), FR_G2 | P | RW | PG_GLOBAL
        mov     eax, cr4
        and     eax, ~0x80
        mov     cr4, eax                    ; CR4.PGE 1 -> 0 flushes everything
        or      eax, 0x80
        mov     cr4, eax
        CHECK_EQ dword [PG_G], 0x6262, "global page remapped after toggling CR4.PGE"
        DBG_PUTS "pae: INVLPG / CR4.PGE flushes ok", 10

        ; The last checks are where QEMU 7.2 (TCG) departs from the SDM
        ; and Bochs (see the header).
        CHECK_RSVD_ERR 0, 9, "#PF RSVD read, PTE bit 63 set"
        CHECK_RSVD_ERR 1, 0xB, "#PF RSVD write, PTE bit 63 set"
        CHECK_RSVD_ERR 2, 9, "#PF RSVD read, 2 MiB PDE bit 13 set"
        CHECK_EQ dword [pdpte0_seen], PD0 | P, "PDPTE 0 not written by the processor (no A bit in PAE PDPTEs)"
        CHECK_EQ dword [PDPT + 4], 0, "PDPTE 0 high dword"
        CHECK_EQ dword [PDPT + 24], PD3 | P, "PDPTE 3 not written"
        ; --- MOV to CR3 with a reserved bit in a present PDPTE: #GP(0)
        ARM     .cr3_r
        mov     eax, PDPT_BAD
.cr3:   mov     cr3, eax
.cr3_r: EXPECT_FAULT 13, 0, .cr3, "#GP(0) MOV to CR3, PDPTE 3 with reserved bit 1"
        mov     eax, cr3
        CHECK_EQ eax, PDPT, "CR3 unchanged after the faulting MOV"
        CHECK_EQ dword [HIGH_ALIAS + scratch], 0xC0DE0003, "PDPTE 3 still usable after the #GP"
        DBG_PUTS "pae: PDPTE reserved bit ok", 10

        CHECK_EQ dword [g_kept], 0x6161, "global translation kept across the CR3 reload (stale frame still read)"
        PASS

        ROM_END
