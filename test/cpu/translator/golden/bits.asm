; Bit tests (a signed offset moves a memory operand), double shifts, exchanges,
; BSWAP and the flag instructions.
bits 32
bt eax, ecx
bts dword [ebx], edx
btr eax, 5
shrd eax, edx, 8
shld [edi], esi, cl
bswap ecx
cmpxchg [ebx], ecx
xchg [esi], eax
xadd eax, ebx
lahf
sahf
cmc
clc
stc
ret
