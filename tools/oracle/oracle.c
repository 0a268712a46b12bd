/*
 * oracle.c - anillo's native fidelity oracle, i386 helper (modes 32 and 16).
 *
 * Runs short i386 code snippets on the host CPU, inside this (32-bit Linux)
 * process, and reports the machine state afterwards so the emulator's results
 * can be compared against real hardware. Its x86-64 sibling, oracle64.c, runs
 * mode-64 cases on hosts without 32-bit user mode; the layout, the protocol
 * codec and the main loop are shared through oracle-common.h.
 *
 * Build: gcc -m32 -O2 (see scripts/build-oracle.sh). Protocol, layout and
 * caveats are documented in tools/oracle/native-oracle.ts; in short:
 *
 *   stdin   one case per line:
 *             case [id=N] mode=32|16 eax=H ecx=H edx=H ebx=H esp=H ebp=H
 *                  esi=H edi=H eflags=H code=HEX [data=SPARSE] [stack=SPARSE]
 *           SPARSE is "-" or comma-separated "OFF:HEX" runs laid over zeros.
 *           Empty lines and lines starting with '#' are ignored.
 *   stdout  first a hello line ("oracle version=1 arch=i386 ..."), then
 *           exactly one line per case: "result id=N kind=ok|fault|timeout|
 *           syscall ..." or "error id=N msg=...". code/data/stack are
 *           reported as SPARSE diffs against the case's initial images.
 *
 * How a case runs (the "why" of the design):
 *   - Entering the snippet: we raise SIGUSR1 and, in its handler, overwrite
 *     the saved user context (registers, EFLAGS, EIP, all six selectors) with
 *     the case's state. rt_sigreturn then loads all of it atomically. Unlike a
 *     popf-based trampoline this writes nothing to the case's stack and lets
 *     TF take effect exactly at the snippet's first instruction.
 *   - Leaving it: the snippet is followed by int3 (the rest of the code page
 *     is int3 too). Every exception arrives as a signal; the handler runs on a
 *     sigaltstack (the snippet's ESP/SS are arbitrary), records the ucontext
 *     and siglongjmps back to the main loop, which also restores the signal
 *     mask. The kernel gives the handler flat DS/ES/SS/CS, but not FS/GS, so
 *     the handler reloads those first (glibc's TLS and pointer guard live in
 *     GS; siglongjmp needs it).
 *   - Runaway snippets: an ITIMER_REAL armed right before entry; SIGALRM while
 *     a case runs is reported as kind "timeout".
 *   - System calls: a seccomp filter makes any system call whose user EIP is
 *     below 0x200000 (i.e. issued by the snippet) raise SIGSYS instead of
 *     running, so `int 0x80` in a fuzzed snippet cannot write to our stdout,
 *     exit or unmap us. Reported as kind "syscall".
 */
#include "oracle-common.h"
#include <asm/ldt.h>

#if !defined(__i386__)
#error "oracle.c must be built as 32-bit x86 code (gcc -m32); oracle64.c is the x86-64 helper"
#endif

static const int reg_ucx[8] = { REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI };

/* Host state restored in the signal handlers. */
static uint16_t host_cs, host_ds, host_fs, host_gs;
static uint16_t sel_code16, sel_data16; /* LDT selectors, 0 when unavailable */
static pid_t self_pid, self_tid;

/* How the case in `cur` is entered (set by arch_run_case, read by on_launch). */
static struct {
    uint16_t cs, ds;  /* selectors the snippet starts with */
    uint32_t entry;   /* EIP of the snippet relative to CS base */
} launch;

/* What the trap handler saw. */
static struct {
    enum kind kind;
    int sig;
    uint32_t trapno, err, cr2;
    uint32_t reg[8];
    uint32_t eip, eflags;
    uint16_t cs, ds, es, ss, fs, gs;
    int guessed; /* vector derived from the signal, not the sigcontext */
} res;

static volatile sig_atomic_t running;
static sigjmp_buf back_to_main;

/* ------------------------------------------------------------------------ */

/* Put back what the kernel does not reset for a signal handler: FS/GS (the
 * snippet may have loaded anything) and the AC/DF flags (the kernel clears
 * DF, TF and RF for handlers, but a snippet-set AC would make glibc's
 * unaligned accesses raise #AC). Must run before any libc call. */
static inline void fix_host_state(void)
{
    __asm__ volatile("movw %0, %%fs\n\tmovw %1, %%gs" : : "m"(host_fs), "m"(host_gs));
    __asm__ volatile("pushfl\n\tandl $~0x00040400, (%%esp)\n\tpopfl" : : : "cc", "memory");
}

/* SIGUSR1: turn "return from this handler" into "jump into the snippet". */
static void on_launch(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    (void)sig; (void)si;
    for (int i = 0; i < 8; i++)
        g[reg_ucx[i]] = (greg_t)cur.reg[i];
    g[REG_UESP] = (greg_t)cur.reg[4];
    g[REG_EIP] = (greg_t)launch.entry;
    g[REG_EFL] = (greg_t)((g[REG_EFL] & ~SETTABLE_EFLAGS) | (cur.eflags & SETTABLE_EFLAGS));
    g[REG_CS] = launch.cs;
    g[REG_SS] = g[REG_DS] = g[REG_ES] = g[REG_FS] = g[REG_GS] = launch.ds;
    /* Nothing blocked while the snippet runs (faults must be deliverable). */
    sigemptyset(&uc->uc_sigmask);
    /* Future (x87/SSE state, issue 4): fill *uc->uc_mcontext.fpregs here. */
    running = 1;
    set_timer(timeout_ms); /* SIGALRM is blocked until the sigreturn */
}

/* Linux always fills the sigcontext's trapno/err/cr2 for hardware
 * exceptions. User-mode emulators (qemu-i386, used only to self-test this
 * harness on hosts without 32-bit user mode) leave trapno at -1: derive a
 * best-effort vector from the signal then, and flag the result "guessed". */
static void guess_vector(int sig, const siginfo_t *si)
{
    uint32_t lin = res.eip + (res.cs == launch.cs && cur.mode == 16 ? CODE_BASE : 0);
    uint64_t cr2 = res.cr2;
    res.guessed = 1;
    res.trapno = vector_from_signal(sig, si, lin - CODE_BASE, &cr2);
    res.cr2 = (uint32_t)cr2;
}

/* Every way out of the snippet: exceptions, the final int3, SIGALRM, SIGSYS. */
static void on_trap(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    fix_host_state();
    if (!running) {
        if (sig == SIGALRM)
            return; /* a timer that fired after the case had already ended */
        /* A fault in the oracle itself: never silently continue. */
        static const char msg[] = "oracle: internal fault outside a snippet\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(71);
    }
    running = 0;
    res.sig = sig;
    res.trapno = (uint32_t)g[REG_TRAPNO];
    res.err = (uint32_t)g[REG_ERR];
    res.cr2 = (uint32_t)uc->uc_mcontext.cr2;
    for (int i = 0; i < 8; i++)
        res.reg[i] = (uint32_t)g[reg_ucx[i]];
    res.eip = (uint32_t)g[REG_EIP];
    res.eflags = (uint32_t)g[REG_EFL];
    res.cs = (uint16_t)g[REG_CS];
    res.ds = (uint16_t)g[REG_DS];
    res.es = (uint16_t)g[REG_ES];
    res.ss = (uint16_t)g[REG_SS];
    res.fs = (uint16_t)g[REG_FS];
    res.gs = (uint16_t)g[REG_GS];

    if (sig == SIGALRM) {
        res.kind = K_TIMEOUT;
    } else if (sig == SIGSYS) {
        res.kind = K_SYSCALL;
    } else if (sig == SIGTRAP && res.trapno != 1 && res.cs == launch.cs &&
               res.eip - 1 == launch.entry + cur.code_len) {
        /* The terminating int3: report EIP at the int3, i.e. just past the
         * snippet, as if the snippet had simply run to its end. */
        res.kind = K_OK;
        res.eip -= 1;
    } else {
        res.kind = K_FAULT;
        if (res.trapno > 31)
            guess_vector(sig, si);
    }
    siglongjmp(back_to_main, 1);
}

/* ---- one-time setup ---------------------------------------------------- */

/* Install the 16-bit code and data segments in the LDT. The descriptors are
 * byte-granular with limit 0xFFFF; B/D=0 makes the code 16-bit and the
 * stack use SP. Selector = index<<3 | TI(4) | RPL 3. */
static void setup_ldt(void)
{
    struct user_desc code = {
        .entry_number = 0, .base_addr = CODE_BASE, .limit = 0xFFFF,
        .seg_32bit = 0, .contents = MODIFY_LDT_CONTENTS_CODE,
        .read_exec_only = 0, .limit_in_pages = 0, .seg_not_present = 0, .useable = 0,
    };
    struct user_desc data = {
        .entry_number = 1, .base_addr = DATA_BASE, .limit = 0xFFFF,
        .seg_32bit = 0, .contents = MODIFY_LDT_CONTENTS_DATA,
        .read_exec_only = 0, .limit_in_pages = 0, .seg_not_present = 0, .useable = 0,
    };
    /* func 0x11 = write an entry, "new" semantics (no legacy zeroing). */
    if (syscall(SYS_modify_ldt, 0x11, &code, sizeof code) != 0 ||
        syscall(SYS_modify_ldt, 0x11, &data, sizeof data) != 0)
        return; /* mode 16 unavailable: cases get an error line */
    sel_code16 = (0 << 3) | 4 | 3;
    sel_data16 = (1 << 3) | 4 | 3;
}

static void arch_setup(void)
{
    __asm__ volatile("movw %%cs, %0" : "=m"(host_cs));
    __asm__ volatile("movw %%ds, %0" : "=m"(host_ds));
    __asm__ volatile("movw %%fs, %0" : "=m"(host_fs));
    __asm__ volatile("movw %%gs, %0" : "=m"(host_gs));
    setup_ldt();

    install_handler(SIGUSR1, on_launch);
    static const int traps[] = { SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGALRM };
    for (unsigned i = 0; i < sizeof traps / sizeof traps[0]; i++)
        install_handler(traps[i], on_trap);

    self_pid = getpid();
    self_tid = (pid_t)syscall(SYS_gettid);
}

static const char *arch_check_case(void)
{
    if (cur.mode == 64)
        return "mode64-needs-the-x86-64-helper-oracle64";
    if (cur.mode == 16 && !sel_code16)
        return "mode16-unavailable-modify_ldt-failed";
    return NULL;
}

/* ---- running one case --------------------------------------------------- */

static void arch_run_case(void)
{
    if (cur.mode == 32) {
        launch.cs = host_cs;
        launch.ds = host_ds;
        launch.entry = CODE_BASE + SNIPPET_OFFSET;
    } else {
        launch.cs = sel_code16;
        launch.ds = sel_data16;
        launch.entry = SNIPPET_OFFSET;
    }
    memset(&res, 0, sizeof res);
    if (sigsetjmp(back_to_main, 1) == 0) {
        /* Clear NT/AC/DF/ID so the bits sigreturn does not take from the
         * case start from a known state. The signal is delivered on return
         * from tgkill; its handler redirects that return into the snippet. */
        __asm__ volatile("pushfl\n\tandl %0, (%%esp)\n\tpopfl" : : "i"(~HOST_CLEAR_EFLAGS) : "cc", "memory");
        syscall(SYS_tgkill, self_pid, self_tid, SIGUSR1);
        /* not reached: on_trap always siglongjmps */
        fprintf(stderr, "oracle: launch signal returned\n");
        exit(72);
    }
    set_timer(0);
}

/* ---- output ------------------------------------------------------------ */

static void arch_put_result(const char *id)
{
    printf("result id=%s kind=%s sig=%d", id, kind_name[res.kind], res.sig);
    if (res.kind == K_FAULT) {
        printf(" vector=%x err=%x", res.trapno, res.err);
        if (res.trapno == 14)
            printf(" cr2=%x", res.cr2);
        if (res.guessed)
            printf(" guessed=1");
    } else if (res.kind == K_SYSCALL) {
        /* int 0x80 (CD 80) just before EIP: vector 0x80; else syscall/sysenter. */
        uint32_t lin = res.eip + (res.cs == sel_code16 && sel_code16 ? CODE_BASE : 0);
        if (int80_before(lin))
            printf(" vector=80");
    }
    for (int i = 0; i < 8; i++)
        printf(" %s=%x", reg_name[i], res.reg[i]);
    printf(" eip=%x eflags=%x cs=%x ds=%x es=%x ss=%x fs=%x gs=%x", res.eip, res.eflags,
           res.cs, res.ds, res.es, res.ss, res.fs, res.gs);
    put_memory();
    putchar('\n');
}

static void arch_put_hello(void)
{
    printf("oracle version=%d arch=i386 code_base=%x code_size=%x snippet_offset=%x data_base=%x "
           "data_size=%x stack_base=%x stack_size=%x settable_eflags=%x fixed_eflags=%x "
           "cs32=%x ds32=%x cs16=%x ds16=%x seccomp=%d timeout_ms=%ld\n",
           PROTOCOL_VERSION, CODE_BASE, CODE_SIZE, SNIPPET_OFFSET, DATA_BASE, DATA_SIZE,
           STACK_BASE, STACK_SIZE, SETTABLE_EFLAGS, FIXED_EFLAGS, host_cs, host_ds,
           sel_code16, sel_data16, have_seccomp, timeout_ms);
}

/* --probe: prove that native 32- and 16-bit execution works on this host. */
static int arch_probe(void)
{
    if (probe_run("case id=p32 mode=32 eax=1 ecx=0 edx=0 ebx=0 esp=119000 ebp=0 esi=0 edi=0 eflags=2 code=40"))
        return 1;
    if (res.kind != K_OK || res.reg[0] != 2) {
        printf("probe failed: mode 32 (kind=%s eax=%x)\n", kind_name[res.kind], res.reg[0]);
        return 1;
    }
    if (!sel_code16) {
        /* e.g. CONFIG_X86_16BIT=n: mode 32 still works (hello says cs16=0) */
        printf("probe ok (mode 16 unavailable: modify_ldt refused 16-bit segments)\n");
        return 0;
    }
    if (probe_run("case id=p16 mode=16 eax=1 ecx=0 edx=0 ebx=0 esp=9000 ebp=0 esi=0 edi=0 eflags=2 code=40"))
        return 1;
    if (res.kind != K_OK || res.reg[0] != 2 || res.eip != SNIPPET_OFFSET + 1) {
        printf("probe failed: mode 16 (kind=%s eax=%x)\n", kind_name[res.kind], res.reg[0]);
        return 1;
    }
    printf("probe ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    return oracle_main(argc, argv);
}
