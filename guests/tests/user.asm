; user.asm - 64 KiB BIOS ROM: CPL3, system calls, TSS stack switch, I/O
; permission bitmap.
;
; Enters protected mode with lib/pm.inc (GDT with DPL3 segments, a TSS with
; ESP0/SS0 and a full I/O permission bitmap allowing only ports 0xE9 and
; 0xF4, IOPL 0), drops to CPL3 with IRET and checks:
;   * CS/SS at CPL3, and that the IRET to CPL3 loaded FS (left holding a
;     DPL0 data selector) with the null selector;
;   * int 0x80 through a DPL3 trap gate: the handler runs at CPL0 on the
;     TSS.ESP0 stack, with the frame SS, ESP, EFLAGS, CS, EIP of the caller
;     (EIP = after the int); IRET returns to CPL3 with registers intact;
;   * privileged instructions at CPL3: hlt, cli (IOPL 0), mov from CR0,
;     lgdt -> #GP(0), with the CPL0 frame on the TSS.ESP0 stack;
;   * I/O: in from port 0xE9 is allowed by the bitmap, port 0x80 is denied
;     (#GP(0)), and a 16-bit access at 0xE9 is denied because port 0xEA is;
;   * int 0x81 / int3 through DPL0 gates from CPL3: #GP(vector*8+2);
;   * and finally a system call back to CPL0.
;
; SDM Vol. 3A (classic numbering): §5.5 "Privilege Levels", §5.9 "Privileged
; Instructions", §6.12.1 "Exception- or Interrupt-Handler Procedures"
; (stack switch, Figure 6-4), §6.12.1.1 "Protection of Exception- and
; Interrupt-Handler Procedures" (gate DPL for INT n/INT3/INTO), §7.2.1
; "Task-State Segment (TSS)"; Vol. 1 "I/O Permission Bit Map" (§18.5.2 /
; §19.5.2 depending on edition); Vol. 2 IRET (return to outer privilege
; level nulls data segment registers with DPL < CPL).

%define TEST_NAME "user"
%include "rom.inc"
%include "pm.inc"

        bits    32
kmain:
        DBG_PUTS "user: entering CPL3", 10
        mov     eax, user_main
        mov     edx, USTACK_TOP
        mov     esi, 0x5A5A5A5A             ; enter_user preserves registers
        call    enter_user
        CHECK_EQ esi, 0x5A5A5A5A, "ESI preserved across CPL3"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, KCODE, "CS back at CPL0"
        CHECK_EQ dword [sys_count], 2, "number of system calls"
        ; the exit system call's frame came from CPL3 too
        CHECK_EQ dword [sys_frame], ESP0_TOP - 20, "exit system call: frame on the TSS.ESP0 stack"
        CHECK_EQ dword [sys_cs], UCODE | 3, "exit system call: saved CS"
        DBG_PUTS "user: back at CPL0", 10
        PASS

user_main:
        ; --- we are at CPL3 with the stack we asked for
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS at CPL3"
        mov     ax, ss
        CHECK_EQ eax, UDATA | 3, "SS at CPL3"
        mov     eax, esp
        CHECK_EQ eax, USTACK_TOP, "ESP at CPL3"
        xor     eax, eax
        mov     ax, fs
        CHECK_EQ eax, 0, "FS (DPL0) nulled by IRET to CPL3"
        pushfd
        pop     eax
        CHECK_MASK eax, 0x3200, 0, "EFLAGS IOPL and IF at CPL3"
        DBG_PUTS "user: at CPL3", 10

        ; --- system call that returns to CPL3
        mov     eax, 1
        mov     ebx, 0x1234ABCD
        mov     [scratch], esp
.sys:   int     0x80
.sys_r: CHECK_EQ eax, 1, "EAX after the system call"
        CHECK_EQ ebx, 0x1234ABCD, "EBX after the system call"
        CHECK_EQ dword [sys_count], 1, "system call count"
        CHECK_EQ dword [sys_handler_cs], KCODE, "CS inside the int 0x80 handler"
        CHECK_EQ dword [sys_frame], ESP0_TOP - 20, "handler stack = TSS.ESP0 minus a 5-dword frame"
        CHECK_EQ dword [sys_eip], .sys_r, "saved EIP (after the int)"
        CHECK_EQ dword [sys_cs], UCODE | 3, "saved CS"
        CHECK_MASK dword [sys_eflags], 0x3202, 0x0002, "saved EFLAGS (bit 1, IOPL 0, IF 0)"
        mov     eax, [scratch]
        CHECK_EQ dword [sys_uesp], eax, "saved ESP = CPL3 ESP at the int"
        CHECK_EQ dword [sys_uss], UDATA | 3, "saved SS"
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS after IRET to CPL3"

        ; --- privileged instructions: #GP(0)
        mov     [scratch], esp
        ARM     .hlt_r
.hlt:   hlt
.hlt_r: EXPECT_FAULT 13, 0, .hlt, "#GP(0) hlt at CPL3"
        CHECK_EQ dword [rec_frame], ESP0_TOP - 20, "#GP from CPL3: saved EIP at TSS.ESP0 - 20 (error code below it)"
        CHECK_EQ dword [rec_cs], UCODE | 3, "#GP from CPL3: saved CS"
        CHECK_EQ dword [rec_uss], UDATA | 3, "#GP from CPL3: saved SS"
        mov     eax, [scratch]
        CHECK_EQ dword [rec_uesp], eax, "#GP from CPL3: saved ESP"

        ARM     .cli_r
.cli:   cli
.cli_r: EXPECT_FAULT 13, 0, .cli, "#GP(0) cli at CPL3 with IOPL 0"

        ARM     .sti_r
.sti:   sti
.sti_r: EXPECT_FAULT 13, 0, .sti, "#GP(0) sti at CPL3 with IOPL 0"

        ARM     .cr_r
.cr:    mov     eax, cr0
.cr_r:  EXPECT_FAULT 13, 0, .cr, "#GP(0) mov from CR0 at CPL3"

        ARM     .lgdt_r
.lgdt:  lgdt    [gdtr_ram]
.lgdt_r:
        EXPECT_FAULT 13, 0, .lgdt, "#GP(0) lgdt at CPL3"

        ; --- I/O permission bitmap
        ARM     .io_ok_r
        in      al, DEBUGCON_PORT           ; allowed (bit 0xE9 clear)
.io_ok_r:
        EXPECT_NO_FAULT "in from port 0xE9 (allowed by the I/O bitmap)"
        ARM     .io1_r
.io1:   in      al, 0x80                    ; denied
.io1_r: EXPECT_FAULT 13, 0, .io1, "#GP(0) in from port 0x80 (denied by the I/O bitmap)"
        ARM     .io2_r
        mov     dx, DEBUGCON_PORT
.io2:   in      ax, dx                      ; ports 0xE9 and 0xEA: 0xEA denied
.io2_r: EXPECT_FAULT 13, 0, .io2, "#GP(0) 16-bit in at 0xE9 (port 0xEA denied)"

        ; --- software interrupts through DPL0 gates: #GP(vector*8 + 2)
        ARM     .i81_r
.i81:   int     0x81
.i81_r: EXPECT_FAULT 13, 0x81 * 8 + 2, .i81, "#GP int 0x81 (DPL0 gate) from CPL3"
        ARM     .i3_r
.i3:    int3
.i3_r:  EXPECT_FAULT 13, 3 * 8 + 2, .i3, "#GP int3 (DPL0 gate) from CPL3"

        ; --- still at CPL3, same stack
        xor     eax, eax
        mov     ax, cs
        CHECK_EQ eax, UCODE | 3, "CS at CPL3 after the faults"
        mov     eax, esp
        CHECK_EQ eax, USTACK_TOP, "ESP at CPL3 after the faults"

        ; --- back to CPL0 for good
        DBG_PUTS "user: exit system call", 10
        xor     eax, eax
        int     0x80
        FAIL    "exit system call returned to CPL3"

        ROM_END
