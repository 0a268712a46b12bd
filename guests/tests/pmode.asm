; pmode.asm - 64 KiB BIOS ROM: real mode -> protected mode, IDT, exceptions.
;
; Starts at the reset vector F000:FFF0, loads a GDT, sets CR0.PE, far-jumps
; to 32-bit code, installs an IDT (lib/pm.inc) and then checks, at CPL0:
;   * #DE (vector 0) from div by zero and from a quotient overflow; a fault,
;     so the saved EIP is the div itself.
;   * #BP (vector 3) from int3 and #OF (vector 4) from into: traps, saved EIP
;     is the next instruction. #BR (vector 5) from bound: a fault.
;   * #UD (vector 6) from ud2, saved EIP = the ud2.
;   * #GP with a selector error code when loading a segment register with a
;     selector past the GDT limit, an LDT selector while LDTR is null, a
;     system (TSS) descriptor into DS, a code segment or a DPL3 segment into
;     SS; #GP(0) for a null selector into SS; #NP(selector) for a
;     not-present data segment. A faulting load leaves the register alone.
;   * segment base arithmetic, and that the descriptor cache keeps the old
;     base after the GDT entry is edited until the register is reloaded.
;   * SGDT/SIDT/STR, and the TSS descriptor marked busy by LTR.
;   * software int to a present gate (EIP after the int), int to a
;     not-present gate: #NP(vector*8+2), int to an entry that is not a gate
;     and int past the IDT limit: #GP(vector*8+2).
;   * the exception frame: CS and EFLAGS as pushed, no stack switch at CPL0.
; Segment limit / type checks on data accesses live in segments.asm (QEMU's
; TCG does not enforce them; Bochs does).
;
; SDM Vol. 3A (classic numbering): §9.1.4 "First Instruction Executed",
; §9.9.1 "Switching to Protected Mode", §3.4 "Logical and Linear Addresses"
; (selectors, descriptors), §5.3-5.5 limit/type/privilege checks, §6.5
; "Exception Classifications" (faults vs traps), §6.12 "Exception and
; Interrupt Handling", §6.13 "Error Code", §6.15 "Exception and Interrupt
; Reference". Vol. 2: MOV (segment register) and INT n pseudo-code.
;
; Build: nasm -f bin -I guests/tests/lib/ -o build/guests/pmode.bin pmode.asm
; Run:   qemu-system-i386 -bios build/guests/pmode.bin ... (guests/tests/README.md)

%define TEST_NAME "pmode"
%include "rom.inc"
%include "pm.inc"

        bits    32
kmain:
        DBG_PUTS "pmode: in 32-bit protected mode", 10

        ; --- we really are in protected mode, at CPL0, with our GDT/IDT
        mov     eax, cr0
        CHECK_MASK eax, 1, 1, "CR0.PE"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, KCODE, "CS after the far jump"
        sgdt    [scratch]
        movzx   eax, word [scratch]
        CHECK_EQ eax, GDT_LIMIT, "SGDT limit"
        CHECK_EQ dword [scratch + 2], GDT_RAM, "SGDT base"
        sidt    [scratch]
        movzx   eax, word [scratch]
        CHECK_EQ eax, IDT_LIMIT, "SIDT limit"
        CHECK_EQ dword [scratch + 2], IDT_RAM, "SIDT base"
        xor     eax, eax
        str     ax
        CHECK_EQ eax, TSS_SEL, "STR"
        movzx   eax, byte [GDT_RAM + TSS_SEL + 5]
        CHECK_EQ eax, 0x8B, "TSS descriptor type after LTR (busy)"

        ; --- #DE: division by zero (fault)
        ARM     .de1_r
        mov     eax, 1
        xor     edx, edx
        xor     ecx, ecx
.de1:   div     ecx
.de1_r: EXPECT_FAULT 0, 0, .de1, "#DE div by zero"
        CHECK_EQ eax, 1, "#DE: EAX must be unchanged"
        CHECK_EQ dword [rec_cs], KCODE, "#DE: saved CS"
        CHECK_MASK dword [rec_eflags], 0x2, 0x2, "#DE: saved EFLAGS bit 1"
        mov     eax, [rec_frame]            ; no stack switch at CPL0: the
        CHECK_EQ eax, KSTACK_TOP - 12, "#DE: frame address"  ; frame is on our stack

        ; --- #DE: quotient too large (0x1_0000_0000 / 1)
        ARM     .de2_r
        mov     edx, 1
        xor     eax, eax
        mov     ecx, 1
.de2:   div     ecx
.de2_r: EXPECT_FAULT 0, 0, .de2, "#DE quotient overflow"

        ; --- #DE: signed overflow -0x80000000 / -1
        ARM     .de3_r
        mov     eax, 0x80000000
        cdq
        mov     ecx, -1
.de3:   idiv    ecx
.de3_r: EXPECT_FAULT 0, 0, .de3, "#DE idiv overflow"

        ; --- #BP: int3 is a trap, EIP points after it
        ARM     .bp_r
.bp:    int3
.bp_r:  EXPECT_FAULT 3, 0, .bp + 1, "#BP int3"
        CHECK_EQ dword [rec_cs], KCODE, "#BP: saved CS"

        ; --- #OF: into with OF=1 is a trap; with OF=0 nothing happens
        ARM     .of_r
        mov     al, 0x7F
        add     al, 1                       ; OF=1
.of:    into
.of_r:  EXPECT_FAULT 4, 0, .of + 1, "#OF into"
        ARM     .of2_r
        xor     eax, eax                    ; OF=0
        into
.of2_r: EXPECT_NO_FAULT "into with OF=0"

        ; --- #BR: bound with index out of range is a fault
        mov     dword [scratch], 10
        mov     dword [scratch + 4], 20
        ARM     .br_r
        mov     eax, 21
.br:    bound   eax, [scratch]
.br_r:  EXPECT_FAULT 5, 0, .br, "#BR bound"
        ARM     .br2_r
        mov     eax, 20
        bound   eax, [scratch]
.br2_r: EXPECT_NO_FAULT "bound in range"

        ; --- #UD: ud2
        ARM     .ud_r
.ud:    ud2
.ud_r:  EXPECT_FAULT 6, 0, .ud, "#UD ud2"

        ; --- #GP(selector): selector beyond the GDT limit
        ARM     .gp1_r
        mov     ax, GDT_LIMIT + 1           ; first selector past the GDT
.gp1:   mov     ds, ax
.gp1_r: EXPECT_FAULT 13, GDT_LIMIT + 1, .gp1, "#GP selector past GDT limit"
        xor     eax, eax
        mov     ax, ds
        CHECK_EQ eax, KDATA, "DS changed by a faulting load"

        ; --- #GP(selector): TI=1 while LDTR is null (LLDT with a null
        ; selector marks the LDTR invalid; SDM LLDT)
        xor     eax, eax
        lldt    ax
        ARM     .gp2_r
        mov     ax, 0x0C
.gp2:   mov     es, ax
.gp2_r: EXPECT_FAULT 13, 0x0C, .gp2, "#GP LDT selector with null LDTR"

        ; --- #GP(selector): system descriptor (TSS) into DS
        ARM     .gp3_r
        mov     ax, TSS_SEL
.gp3:   mov     ds, ax
.gp3_r: EXPECT_FAULT 13, TSS_SEL, .gp3, "#GP TSS selector into DS"

        ; --- #GP(selector): code segment into SS
        ARM     .gp4_r
        mov     ax, KCODE
.gp4:   mov     ss, ax
.gp4_r: EXPECT_FAULT 13, KCODE, .gp4, "#GP code selector into SS"

        ; --- #GP(0): null selector into SS
        ARM     .gp5_r
        xor     eax, eax
.gp5:   mov     ss, ax
.gp5_r: EXPECT_FAULT 13, 0, .gp5, "#GP null selector into SS"

        ; --- #GP(selector): DPL3 data into SS at CPL0 (DPL != CPL)
        ARM     .gp6_r
        mov     ax, UDATA
.gp6:   mov     ss, ax
.gp6_r: EXPECT_FAULT 13, UDATA, .gp6, "#GP DPL3 data selector into SS at CPL0"

        ; --- #NP(selector): not-present data segment
        ARM     .np_r
        mov     ax, NP_SEL
.np:    mov     fs, ax
.np_r:  EXPECT_FAULT 11, NP_SEL, .np, "#NP not-present segment"

        ; --- segment base: FS with base 0x30000
        mov     dword [0x30100], 0
        mov     dword [0x31100], 0
        mov     ax, BASED_SEL
        mov     fs, ax
        mov     dword [fs:0x100], 0x11223344
        CHECK_EQ dword [0x30100], 0x11223344, "write through FS with base 0x30000"
        ; the descriptor is cached when FS is loaded: editing the GDT entry
        ; does not move FS until FS is reloaded (SDM 3.4.3 "Segment Registers")
        mov     byte [GDT_RAM + BASED_SEL + 3], 0x10        ; base -> 0x31000
        mov     dword [fs:0x100], 0x55667788
        CHECK_EQ dword [0x30100], 0x55667788, "FS base must stay cached until FS is reloaded"
        mov     ax, BASED_SEL
        mov     fs, ax
        mov     dword [fs:0x100], 0x99AABBCC
        CHECK_EQ dword [0x31100], 0x99AABBCC, "FS base after reload"
        mov     ax, KDATA
        mov     fs, ax

        ; --- software interrupt to a present DPL0 gate
        ARM     .int40_r
.int40: int     0x40
.int40_r:
        EXPECT_FAULT 0x40, 0, .int40 + 2, "int 0x40"

        ; --- software interrupt to a not-present gate: #NP(vector*8 + 2)
        ARM     .int41_r
.int41: int     0x41
.int41_r:
        EXPECT_FAULT 11, 0x41 * 8 + 2, .int41, "int to not-present gate"

        ; --- software interrupt to an all-zero IDT entry (not a gate type):
        ; #GP(vector*8 + 2)
        ARM     .int42_r
.int42: int     0x42
.int42_r:
        EXPECT_FAULT 13, 0x42 * 8 + 2, .int42, "int to a non-gate IDT entry"

        ; --- software interrupt past the IDT limit: #GP(vector*8 + 2)
        ARM     .inta0_r
.inta0: int     0xA0
.inta0_r:
        EXPECT_FAULT 13, 0xA0 * 8 + 2, .inta0, "int past IDT limit"

        ; --- recovering left the machine sane
        mov     eax, esp
        CHECK_EQ eax, KSTACK_TOP, "ESP after the exception tests"
        xor     eax, eax
        mov     ax, ss
        CHECK_EQ eax, KDATA, "SS after the exception tests"

        PASS

        ROM_END
