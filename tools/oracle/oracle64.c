/*
 * oracle64.c - anillo's native fidelity oracle, x86-64 helper (mode 64).
 *
 * The same oracle as oracle.c (same layout, protocol and result tokens, see
 * oracle-common.h and tools/oracle/native-oracle.ts), but built as a plain
 * 64-bit program, so that it runs on hosts whose kernel has no IA-32 user
 * mode (32-bit ELFs fail with ENOEXEC, far jumps to 32/16-bit code selectors
 * raise #GP). The snippet runs in 64-bit mode, which for a large part of the
 * instruction set behaves exactly like 32-bit protected mode: without REX the
 * operand size is 32 bits by default, 0x66 gives 16, byte forms are bytes
 * (AH..BH included). The caller supplies a long-mode encoding of the snippet
 * in which every address-forming instruction carries 0x67, so addresses are
 * 32-bit and zero-extended, as in flat 32-bit mode (see native-oracle.ts for
 * what the caller must avoid).
 *
 *   stdin   case [id=N] mode=64 eax=H ... edi=H eflags=H code=HEX(long mode)
 *                [data=SPARSE] [stack=SPARSE] [fcw=H fsw=H ftw=H st=R0,...,R7]
 *                [mxcsr=H xmm=X0,...,X7]
 *   stdout  "oracle version=1 arch=x86_64 ..." then one line per case, with
 *           the tokens of oracle.c plus upper=: "-" or comma-separated
 *           NAME:HEX of the registers (eax..edi, eip, cr2) whose upper 32
 *           bits are non-zero at the end (HEX = those upper bits); a case
 *           that gave x87 state also gets fcw= fsw= ftw= fop= st= back,
 *           one that gave SSE state mxcsr= xmm= (see load_x87/save_x87).
 *
 * Differences from oracle.c in how a case runs:
 *   - RAX..RDI and RSP are loaded zero-extended from the case's 32-bit
 *     values, R8..R15 are zero, RIP = 0x00100100; registers are reported as
 *     their low 32 bits, EIP as the low 32 bits of RIP.
 *   - The segments are the process's: CS/SS the 64-bit user selectors
 *     (loaded by sigreturn), DS/ES whatever the host has (null on Linux).
 *     FS and GS bases are 0 while the snippet runs (the host's TLS base is
 *     swapped out with arch_prctl and back in by the trap handler), so FS:/GS:
 *     overrides address the flat space as in mode 32. The 64-bit sigcontext
 *     carries no DS/ES/FS/GS, so the trap handler reads them from the CPU.
 *   - The trap handler also restores DS/ES/GS selectors: a 64-bit sigreturn
 *     does not reload them, so a snippet's segment loads would otherwise
 *     leak into the next case.
 */
#define ORACLE_HAS_X87 1 /* fcw= fsw= ftw= st= tokens: see load_x87/save_x87 */
#include "oracle-common.h"
#include <asm/prctl.h>
#include <sys/auxv.h>

#if !defined(__x86_64__) || defined(__ILP32__)
#error "oracle64.c must be built as x86-64 code (plain gcc); oracle.c is the i386 helper"
#endif

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

static const int reg_ucx[8] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI };
static const int reg_hi[8] = { REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };

/* Host state restored in the signal handlers. */
static uint16_t host_cs, host_ss, host_ds, host_es;
static unsigned long host_fs_base;
static int have_fsgsbase; /* user-mode WRFSBASE/WRGSBASE: a snippet could change GS base */
static pid_t self_pid, self_tid;

/* What the trap handler saw (full 64-bit values). */
static struct {
    enum kind kind;
    int sig;
    uint32_t trapno, err;
    uint64_t cr2;
    uint64_t reg[8];
    uint64_t rip, rflags;
    uint16_t cs, ds, es, ss, fs, gs;
    int guessed; /* vector derived from the signal, not the sigcontext */
    int have_x87; /* the signal frame carried the FPU state */
    uint16_t fcw, fsw, fop;
    uint8_t ftw;
    uint8_t st[8][10];
    uint32_t mxcsr;
    uint8_t xmm[8][16];
} res;

static volatile sig_atomic_t running;
static sigjmp_buf back_to_main;

/* ------------------------------------------------------------------------ */

/* arch_prctl as a bare system call: usable while FS base is not glibc's
 * (no errno, no TLS). Our code lives above SYSCALL_LIMIT, so the seccomp
 * filter lets it through. */
static inline void set_seg_base(int code, unsigned long base)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)SYS_arch_prctl), "D"((long)code), "S"(base)
                     : "rcx", "r11", "memory");
    (void)ret;
}

static inline uint16_t read_sel_ds(void) { unsigned v; __asm__ volatile("movl %%ds, %0" : "=r"(v)); return (uint16_t)v; }
static inline uint16_t read_sel_es(void) { unsigned v; __asm__ volatile("movl %%es, %0" : "=r"(v)); return (uint16_t)v; }
static inline uint16_t read_sel_fs(void) { unsigned v; __asm__ volatile("movl %%fs, %0" : "=r"(v)); return (uint16_t)v; }
static inline uint16_t read_sel_gs(void) { unsigned v; __asm__ volatile("movl %%gs, %0" : "=r"(v)); return (uint16_t)v; }

/* Put back what the kernel does not reset for a signal handler: the AC/DF
 * flags (a snippet-set AC would make glibc's unaligned accesses raise #AC),
 * glibc's TLS base in FS (0 while the snippet ran), GS base 0, and the host's
 * DS/ES selectors. Must run before any libc call. */
static inline void fix_host_state(uint16_t gs_sel)
{
    __asm__ volatile("pushfq\n\tandq $~0x00040400, (%%rsp)\n\tpopfq" : : : "cc", "memory");
    set_seg_base(ARCH_SET_FS, host_fs_base); /* also loads a null FS selector */
    if (gs_sel != 0 || have_fsgsbase)
        set_seg_base(ARCH_SET_GS, 0);
    unsigned ds = host_ds, es = host_es;
    __asm__ volatile("movl %0, %%ds\n\tmovl %1, %%es" : : "r"(ds), "r"(es));
}

/* The x87 state a case starts with goes into the signal frame's FXSAVE
 * image, which sigreturn loads (FXRSTOR/XRSTOR): FCW, FSW (with TOP), the
 * abridged tag and ST(0)..ST(7). The instruction and operand pointers and
 * the opcode start at 0; MXCSR and the XMM registers stay the host's. With
 * an XSAVE frame, the header must say the x87 component is in use, or
 * XRSTOR would put it in its initial state instead. */
static void load_x87(ucontext_t *uc)
{
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    if (!fp)
        return;
    fp->cwd = cur.fcw;
    fp->swd = cur.fsw;
    fp->ftw = cur.ftw;
    fp->fop = 0;
    fp->rip = 0;
    fp->rdp = 0;
    for (int i = 0; i < 8; i++) {
        memset(&fp->_st[i], 0, sizeof fp->_st[i]);
        memcpy(&fp->_st[i], cur.st[i], 10);
    }
    if (cur.has_sse) {
        fp->mxcsr = cur.mxcsr;
        for (int i = 0; i < 8; i++)
            memcpy(&fp->_xmm[i], cur.xmm[i], 16);
    }
    uint8_t *area = (uint8_t *)fp;
    uint32_t magic1;
    memcpy(&magic1, area + 464, 4); /* fpx_sw_bytes.magic1 in the reserved tail */
    if (magic1 == 0x46505853u) {    /* FP_XSTATE_MAGIC1: an XSAVE header follows at 512 */
        uint64_t bv;
        memcpy(&bv, area + 512, 8);
        bv |= cur.has_sse ? 3 : 1; /* XSTATE_BV.x87 (and .SSE) */
        memcpy(area + 512, &bv, 8);
    }
}

/* The x87 state the snippet left, from the signal frame (taken by the
 * kernel when the exception or the final int3 stopped it). */
static void save_x87(const ucontext_t *uc)
{
    const struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    if (!fp)
        return;
    res.have_x87 = 1;
    res.fcw = fp->cwd;
    res.fsw = fp->swd;
    res.ftw = (uint8_t)fp->ftw;
    res.fop = fp->fop;
    for (int i = 0; i < 8; i++)
        memcpy(res.st[i], &fp->_st[i], 10);
    res.mxcsr = fp->mxcsr;
    for (int i = 0; i < 8; i++)
        memcpy(res.xmm[i], &fp->_xmm[i], 16);
}

/* SIGUSR1: turn "return from this handler" into "jump into the snippet". */
static void on_launch(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    (void)sig; (void)si;
    for (int i = 0; i < 8; i++) {
        g[reg_ucx[i]] = (greg_t)(uint64_t)cur.reg[i]; /* zero-extended, RSP too */
        g[reg_hi[i]] = 0;
    }
    g[REG_RIP] = (greg_t)(CODE_BASE + SNIPPET_OFFSET);
    g[REG_EFL] = (greg_t)(((uint64_t)g[REG_EFL] & ~(uint64_t)(SETTABLE_EFLAGS | EFLAGS_RF)) |
                          (cur.eflags & SETTABLE_EFLAGS));
    /* CS and SS stay the 64-bit user selectors the kernel saved (sigreturn
     * restores both); DS/ES/FS/GS are not part of a 64-bit sigcontext. */
    sigemptyset(&uc->uc_sigmask); /* nothing blocked while the snippet runs */
    load_x87(uc);
    running = 1;
    set_timer(timeout_ms); /* SIGALRM is blocked until the sigreturn */
    /* Last: from here on glibc's TLS is unreachable until on_trap. */
    set_seg_base(ARCH_SET_FS, 0);
}

/* Every way out of the snippet: exceptions, the final int3, SIGALRM, SIGSYS. */
static void on_trap(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    /* Selectors first: fix_host_state reloads them. */
    uint16_t ds = read_sel_ds(), es = read_sel_es(), fs = read_sel_fs(), gs = read_sel_gs();
    fix_host_state(gs);
    if (!running) {
        if (sig == SIGALRM)
            return; /* a timer that fired after the case had already ended */
        /* A fault in the oracle itself: never silently continue. */
        static const char msg[] = "oracle64: internal fault outside a snippet\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(71);
    }
    running = 0;
    res.sig = sig;
    res.trapno = (uint32_t)g[REG_TRAPNO];
    res.err = (uint32_t)g[REG_ERR];
    res.cr2 = (uint64_t)g[REG_CR2];
    for (int i = 0; i < 8; i++)
        res.reg[i] = (uint64_t)g[reg_ucx[i]];
    res.rip = (uint64_t)g[REG_RIP];
    res.rflags = (uint64_t)g[REG_EFL];
    /* REG_CSGSFS: cs | gs << 16 | fs << 32 | ss << 48 (the kernel stores 0
     * for gs/fs and the real SS where uc_flags has UC_SIGCONTEXT_SS). */
    uint64_t csgsfs = (uint64_t)g[REG_CSGSFS];
    res.cs = (uint16_t)csgsfs;
    res.ss = (uint16_t)(csgsfs >> 48);
    res.ds = ds;
    res.es = es;
    res.fs = fs;
    res.gs = gs;
    save_x87(uc);

    if (sig == SIGALRM) {
        res.kind = K_TIMEOUT;
    } else if (sig == SIGSYS) {
        res.kind = K_SYSCALL;
    } else if (sig == SIGTRAP && res.trapno != 1 && res.cs == host_cs &&
               res.rip - 1 == CODE_BASE + SNIPPET_OFFSET + cur.code_len) {
        /* The terminating int3: report RIP at the int3, i.e. just past the
         * snippet, as if the snippet had simply run to its end. */
        res.kind = K_OK;
        res.rip -= 1;
    } else {
        res.kind = K_FAULT;
        if (res.trapno > 31) { /* never on a real kernel; e.g. qemu-x86_64 */
            res.guessed = 1;
            res.trapno = vector_from_signal(sig, si, (uint32_t)(res.rip - CODE_BASE), &res.cr2);
        }
    }
    siglongjmp(back_to_main, 1);
}

/* ---- one-time setup ---------------------------------------------------- */

static void arch_setup(void)
{
    unsigned v;
    __asm__ volatile("movl %%cs, %0" : "=r"(v));
    host_cs = (uint16_t)v;
    __asm__ volatile("movl %%ss, %0" : "=r"(v));
    host_ss = (uint16_t)v;
    host_ds = read_sel_ds();
    host_es = read_sel_es();
    if (syscall(SYS_arch_prctl, ARCH_GET_FS, &host_fs_base) != 0)
        die("arch_prctl(ARCH_GET_FS)");
    have_fsgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;

    install_handler(SIGUSR1, on_launch);
    static const int traps[] = { SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGALRM };
    for (unsigned i = 0; i < sizeof traps / sizeof traps[0]; i++)
        install_handler(traps[i], on_trap);

    self_pid = getpid();
    self_tid = (pid_t)syscall(SYS_gettid);
}

static const char *arch_check_case(void)
{
    if (cur.mode != 64)
        return "mode32-and-mode16-need-the-i386-helper-oracle32";
    return NULL;
}

/* ---- running one case --------------------------------------------------- */

static void arch_run_case(void)
{
    memset(&res, 0, sizeof res);
    if (sigsetjmp(back_to_main, 1) == 0) {
        /* Clear NT/AC/DF/ID so the bits sigreturn does not take from the
         * case start from a known state. The signal is delivered on return
         * from tgkill; its handler redirects that return into the snippet. */
        __asm__ volatile("pushfq\n\tandq %0, (%%rsp)\n\tpopfq" : : "i"(~HOST_CLEAR_EFLAGS) : "cc", "memory");
        syscall(SYS_tgkill, self_pid, self_tid, SIGUSR1);
        /* not reached: on_trap always siglongjmps */
        fprintf(stderr, "oracle64: launch signal returned\n");
        exit(72);
    }
    set_timer(0);
}

/* ---- output ------------------------------------------------------------ */

static void put_upper(void)
{
    int any = 0;
    printf(" upper=");
    for (int i = 0; i < 9; i++) {
        uint64_t v = i < 8 ? res.reg[i] : res.rip;
        if (v >> 32) {
            printf("%s%s:%x", any ? "," : "", i < 8 ? reg_name[i] : "eip", (uint32_t)(v >> 32));
            any = 1;
        }
    }
    if (res.kind == K_FAULT && res.trapno == 14 && (res.cr2 >> 32)) {
        printf("%scr2:%x", any ? "," : "", (uint32_t)(res.cr2 >> 32));
        any = 1;
    }
    if (!any)
        putchar('-');
}

static void arch_put_result(const char *id)
{
    printf("result id=%s kind=%s sig=%d", id, kind_name[res.kind], res.sig);
    if (res.kind == K_FAULT) {
        printf(" vector=%x err=%x", res.trapno, res.err);
        if (res.trapno == 14)
            printf(" cr2=%x", (uint32_t)res.cr2);
        if (res.guessed)
            printf(" guessed=1");
    } else if (res.kind == K_SYSCALL) {
        /* int 0x80 (CD 80) just before RIP: vector 0x80; else syscall/sysenter. */
        if (int80_before(res.rip))
            printf(" vector=80");
    }
    for (int i = 0; i < 8; i++)
        printf(" %s=%x", reg_name[i], (uint32_t)res.reg[i]);
    printf(" eip=%x eflags=%x cs=%x ds=%x es=%x ss=%x fs=%x gs=%x", (uint32_t)res.rip,
           (uint32_t)res.rflags, res.cs, res.ds, res.es, res.ss, res.fs, res.gs);
    put_upper();
    if (cur.has_x87 && res.have_x87) {
        printf(" fcw=%x fsw=%x ftw=%x fop=%x st=", res.fcw, res.fsw, res.ftw, res.fop);
        for (int i = 0; i < 8; i++) {
            for (int k = 9; k >= 0; k--)
                printf("%02x", res.st[i][k]);
            if (i < 7)
                putchar(',');
        }
    }
    if (cur.has_sse && res.have_x87) {
        printf(" mxcsr=%x xmm=", res.mxcsr);
        for (int i = 0; i < 8; i++) {
            for (int k = 15; k >= 0; k--)
                printf("%02x", res.xmm[i][k]);
            if (i < 7)
                putchar(',');
        }
    }
    put_memory();
    putchar('\n');
}

static void arch_put_hello(void)
{
    printf("oracle version=%d arch=x86_64 code_base=%x code_size=%x snippet_offset=%x data_base=%x "
           "data_size=%x stack_base=%x stack_size=%x settable_eflags=%x fixed_eflags=%x "
           "cs64=%x ss64=%x cs32=0 ds32=0 cs16=0 ds16=0 x87=1 sse=1 seccomp=%d timeout_ms=%ld\n",
           PROTOCOL_VERSION, CODE_BASE, CODE_SIZE, SNIPPET_OFFSET, DATA_BASE, DATA_SIZE,
           STACK_BASE, STACK_SIZE, SETTABLE_EFLAGS, FIXED_EFLAGS, host_cs, host_ss,
           have_seccomp, timeout_ms);
}

/* --probe: prove that snippets run natively in 64-bit mode here, with
 * 32-bit operands and 0x67 (32-bit) addressing. */
static int arch_probe(void)
{
    /* inc eax (ff c0: 40 is REX here); mov [ebx], eax (67 89 03) */
    if (probe_run("case id=p64 mode=64 eax=1 ecx=0 edx=0 ebx=110000 esp=119000 ebp=0 esi=0 edi=0 "
                  "eflags=2 code=ffc0678903"))
        return 1;
    if (res.kind != K_OK || res.reg[0] != 2 || res.rip != CODE_BASE + SNIPPET_OFFSET + 5 ||
        data_area[0] != 2) {
        printf("probe failed: mode 64 (kind=%s sig=%d vector=%x eax=%llx)\n", kind_name[res.kind],
               res.sig, res.trapno, (unsigned long long)res.reg[0]);
        return 1;
    }
    printf("probe ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    return oracle_main(argc, argv);
}
