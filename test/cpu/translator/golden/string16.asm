; 16-bit code: SI/DI wrap at 64 KiB; LEAVE and POP r/m.
bits 16
lodsw
movsb
cmpsb
leave
db 0x8f, 0xc1 ; pop cx (8F /0)
pop word [bx]
ret
