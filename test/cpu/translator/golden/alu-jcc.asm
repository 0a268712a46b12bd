; ALU ops into a fused compare-and-branch: the Jcc tests the CMP's operands directly.
bits 32
l: add eax, ebx
sub ecx, 1
cmp ecx, edx
jb l
