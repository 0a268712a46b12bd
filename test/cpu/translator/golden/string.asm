; String operations without REP inline (DF read at run time, stores checked last),
; REP left to the interpreter; LEAVE with the stack width of SS.B.
bits 32
lodsb
scasb
stosd
movsw
cmpsd
rep movsb
leave
ret
