; tripfault.asm - 64 KiB BIOS ROM that deliberately triple-faults.
;
; Enters protected mode with lib/pm.inc, prints "about to triple fault",
; loads an IDT with limit 0 and executes ud2. #UD (vector 6) lies past the
; IDT limit -> #GP(6*8+2); vector 13 lies past the limit too -> #DF; vector 8
; as well -> shutdown (triple fault). A PC turns the shutdown cycle into a
; reset; QEMU with -no-reboot exits, anillo reports the triple fault.
; Used to test the host's triple-fault report, not the CPU's checks: there is
; no PASS line. If execution ever continues past the ud2 (or the machine
; resets and comes back here, which prints the line again) that is a host
; bug; continuing prints a FAIL line and exits with the FAIL status.
;
; SDM Vol. 3A (classic numbering): §6.10 "Interrupt Descriptor Table (IDT)"
; (limit check), §6.15 "Interrupt 8 - Double Fault Exception (#DF)"
; (Table 6-5 contributory exceptions; "If another exception occurs while
; attempting to call the double-fault handler, the processor enters shutdown
; mode"), §9.1 reset on shutdown is a platform (chipset) behaviour.

%define TEST_NAME "tripfault"
%include "rom.inc"
%include "pm.inc"

        bits    32
kmain:
        DBG_PUTS "about to triple fault", 10
        lidt    [empty_idtr]
        ud2
        FAIL    "execution continued after the triple fault"

empty_idtr:
        dw      0                           ; limit 0: not even one gate
        dd      0

        ROM_END
