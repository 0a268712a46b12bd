; segments.asm - 64 KiB BIOS ROM: protected-mode segment limit and type
; checks on data accesses.
;
; Enters protected mode with lib/pm.inc, then at CPL0 checks:
;   * an access through a null ES: #GP(0) (loading the null selector is fine);
;   * byte-granular limit 0xFFF: the last byte/dword inside is fine, an
;     access that ends past the limit is #GP(0);
;   * G=1 with limit 0 means an effective limit of 0xFFF;
;   * expand-down segment (limit 0xFFF, B=1): offsets 0..0xFFF are #GP(0),
;     0x1000..0xFFFFFFFF are valid;
;   * a write through a read-only data segment is #GP(0), a read is fine;
;   * a stack-segment (SS) reference past the SS limit is #SS(0).
;
; SDM Vol. 3A (classic numbering): §3.4.5 "Segment Descriptors" (G, B,
; expand-down), §3.4.5.1 "Code- and Data-Segment Descriptor Types", §5.3
; "Limit Checking", §5.4 "Type Checking", §6.15 "Interrupt 12 - Stack Fault
; Exception (#SS)" and "Interrupt 13 - General Protection Exception (#GP)".
;
; QEMU's TCG does not enforce segment limits or types on data accesses, so
; this kernel fails there at the first check; validate it on Bochs.

%define TEST_NAME "segments"
%include "rom.inc"
%include "pm.inc"

        bits    32
kmain:
        DBG_PUTS "segments: in 32-bit protected mode", 10

        ; --- null selector into ES is allowed; using it faults with #GP(0)
        ARM     .null_r
        xor     eax, eax
        mov     es, ax
.null:  mov     dword [es:scratch], 1
.null_r:
        EXPECT_FAULT 13, 0, .null, "#GP(0) access through null ES"
        mov     ax, KDATA
        mov     es, ax

        ; --- byte-granular limit 0xFFF
        mov     ax, SMALL_SEL
        mov     fs, ax
        ARM     .lim_ok_r
        mov     eax, [fs:0xFFC]             ; last dword inside the limit
        mov     al, [fs:0xFFF]              ; last byte inside the limit
.lim_ok_r:
        EXPECT_NO_FAULT "access at the segment limit"
        ARM     .lim_r
.lim:   mov     eax, [fs:0xFFD]             ; bytes 0xFFD..0x1000
.lim_r: EXPECT_FAULT 13, 0, .lim, "#GP(0) dword read straddling the limit"
        ARM     .lim2_r
.lim2:  mov     byte [fs:0x1000], 0
.lim2_r:
        EXPECT_FAULT 13, 0, .lim2, "#GP(0) byte write past the limit"

        ; --- G=1: limit 0 covers offsets 0..0xFFF
        mov     ax, LIMG_SEL
        mov     fs, ax
        ARM     .limg_ok_r
        mov     al, [fs:0xFFF]
.limg_ok_r:
        EXPECT_NO_FAULT "G=1 limit 0: read at 0xFFF"
        ARM     .limg_r
.limg:  mov     al, [fs:0x1000]
.limg_r:
        EXPECT_FAULT 13, 0, .limg, "#GP(0) G=1 limit 0: read at 0x1000"

        ; --- expand-down, limit 0xFFF, B=1: valid offsets 0x1000..0xFFFFFFFF
        mov     ax, EXPDOWN_SEL
        mov     fs, ax
        ARM     .ed_ok_r
        mov     eax, [fs:0x1000]
        mov     eax, [fs:scratch + 0x1000]
        mov     eax, [fs:0xFFFFFFFC]        ; top dword: the BIOS ROM alias
.ed_ok_r:
        EXPECT_NO_FAULT "expand-down: reads at 0x1000 and at the top"
        ARM     .ed_r
.ed:    mov     al, [fs:0xFFF]
.ed_r:  EXPECT_FAULT 13, 0, .ed, "#GP(0) expand-down: read at the limit"
        ARM     .ed2_r
.ed2:   mov     eax, [fs:0xFFE]             ; straddles into the valid range
.ed2_r: EXPECT_FAULT 13, 0, .ed2, "#GP(0) expand-down: read straddling the limit"

        ; --- read-only data segment
        mov     ax, RO_SEL
        mov     fs, ax
        ARM     .ro_ok_r
        mov     eax, [fs:scratch]
.ro_ok_r:
        EXPECT_NO_FAULT "read through a read-only segment"
        ARM     .ro_r
.ro:    mov     [fs:scratch], eax
.ro_r:  EXPECT_FAULT 13, 0, .ro, "#GP(0) write to read-only segment"
        mov     ax, KDATA
        mov     fs, ax

        ; --- #SS(0): SS with limit 0xFFF, stack at 0xF00, [ebp] past the limit.
        ; The handler runs on this small stack too (same privilege level).
        mov     ebx, esp
        mov     ax, SMALL_SEL
        mov     ss, ax
        mov     esp, 0xF00
        ARM     .ss_r
        mov     ebp, 0x2000
.ss:    mov     eax, [ebp]                  ; EBP-based: SS is the segment
.ss_r:  mov     ax, KDATA
        mov     ss, ax
        mov     esp, ebx
        EXPECT_FAULT 12, 0, .ss, "#SS(0) stack reference past the SS limit"

        PASS

        ROM_END
