; Instructions without an emitter go to the interpreter's step(), with the exit checks after them.
bits 32
mov edx, 0x3f8
in al, dx
inc eax
out dx, al
jmp 0x1000
