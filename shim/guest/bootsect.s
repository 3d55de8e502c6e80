/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-shim's guest: one 512-byte x86 boot sector.
 *
 * It builds identity page tables for the first GiB (2 MiB pages, open to
 * user mode), goes from real mode straight to 64-bit long mode, prints a
 * start marker on COM1, and then drops to user mode (CPL 3, IOPL 3 so that
 * it can still drive COM1, interrupts off) for its loop: it clears the
 * range [start, end) and loops over it, pass after pass (p = 1, 2, ...).
 * In pass p, page i (counted from start) becomes all-zero when (i + p) is
 * even, and otherwise holds the pass p in its first word and a checksum of
 * p and the page's address in its second, the rest zero: so pages turn
 * zero and non-zero all the time (unless the never_zero parameter is set:
 * then no page is zero after pass 0, and every dirty page is page data to
 * migrate).  Before it writes a page the guest checks that the page holds
 * what pass p - 1 left there; if not, it prints "COLO-GUEST-BAD
 * 0x<address>" and spins.  Every `heartbeat` passes it prints one
 * heartbeat byte, and then, if bits 26..57 of its TSC changed since it last
 * printed them, "T" and those bits in hex: its clock, which a failover must
 * not move backwards (guest-clock.h).
 *
 * Why 64-bit user mode: KVM without hardware virtualization (the nested
 * PVM of these machines, kvm_pvm) runs only 64-bit CPL-3 code natively and
 * emulates everything else one instruction at a time: the loop runs about
 * 8,000 passes/s there, against under one pass/s in 32-bit protected mode
 * (README, "KVM").  With hardware virtualization and TCG it runs as well.
 * User mode has no hlt and, on PVM, no working syscall: the idle guest
 * halts before it leaves kernel mode, a guest that found its RAM wrong
 * spins.
 *
 * From outside, a stopped guest's range reads pass p up to some page and
 * pass p - 1 from there on, which guest.c checks page by page.
 *
 * With an empty range it halts after the start marker instead: an idle
 * guest, for measuring what a checkpoint costs when nothing is dirtied.
 *
 * The parameter block at PARAMS is patched by the shim (guest.c); the
 * defaults here are what an unpatched image does.
 */
        .set    COM1, 0x3f8
        .set    COM1_LSR, COM1 + 5
        .set    LSR_THR_EMPTY, 0x20
        .set    PAGE, 4096
        .set    CHECKSUM_KEY, 0x5a5aa5a5        /* guest.c: GUEST_CHECKSUM_KEY */
        .set    PML4, 0x9000            /* PML4, PDPT, PD: 0x9000..0xbfff */
        .set    USER_CS, 0x13           /* GDT entry 2, RPL 3 */
        .set    USER_DS, 0x1b           /* GDT entry 3, RPL 3 */

        .code16
        .text
        .globl  _start
_start:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        /* The range lies above 1 MiB: open the A20 gate (port 0x92). */
        inb     $0x92, %al
        orb     $2, %al
        andb    $0xfe, %al
        outb    %al, $0x92
        /* Page tables: PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = 2 MiB page i
         * (1 GiB, user-accessible). */
        movw    $PML4, %di
        movw    $3 * PAGE / 2, %cx
        xorw    %ax, %ax
        cld
        rep stosw
        movw    $PML4 + PAGE + 7, PML4
        movw    $PML4 + 2 * PAGE + 7, PML4 + PAGE
        movw    $PML4 + 2 * PAGE, %di
        movl    $0x87, %eax             /* P RW US PS */
        movw    $512, %cx
1:      stosl
        addl    $0x200000, %eax
        scasl                           /* %di += 4: the high half stays 0 */
        loop    1b
        movl    $0x20, %eax             /* CR4.PAE */
        movl    %eax, %cr4
        movl    $PML4, %eax
        movl    %eax, %cr3
        movl    $0xc0000080, %ecx       /* EFER.LME */
        rdmsr
        orb     $1, %ah
        wrmsr
        lgdt    gdt
        /* Straight from real mode to long mode: PE and PG at once. */
        movl    %cr0, %eax
        orl     $0x80000001, %eax
        movl    %eax, %cr0
        ljmp    $0x08, $long

        .code64
long:
        movl    $0x7c00, %esp
        movl    $start_marker, %esi
        call    puts
        movl    param_start(%rip), %edi
        movl    param_end(%rip), %ecx
        subl    %edi, %ecx
        jbe     halt                    /* empty range: the idle guest */
        pushq   $USER_DS                /* SS */
        pushq   %rsp                    /* RSP: anything below 0x7c00 */
        pushq   $0x3002                 /* RFLAGS: IOPL 3 (COM1), IF = 0 */
        pushq   $USER_CS
        pushq   $user
        iretq

/* From here on: CPL 3, 64-bit, native. */
user:
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl
        movl    $1, %ebp                /* the pass */
        xorl    %ebx, %ebx              /* passes since the last heartbeat */
pass:
        movl    param_start(%rip), %edi
        xorl    %esi, %esi              /* the page's index */
page:
        leal    -1(%rbp), %eax
        call    page_state
        cmpl    (%rdi), %ecx
        jne     bad
        cmpl    4(%rdi), %edx
        jne     bad
        movl    %ebp, %eax
        call    page_state
        movl    %ecx, (%rdi)
        movl    %edx, 4(%rdi)
        addl    $PAGE, %edi
        incl    %esi
        cmpl    param_end(%rip), %edi
        jb      page
        incl    %ebp
        incl    %ebx
        cmpl    param_heartbeat(%rip), %ebx
        jb      pass
        xorl    %ebx, %ebx
        movb    $'B', %al
        call    putc
        /* The clock: bits 26..57 of the TSC, printed when they change. */
        rdtsc
        shrdl   $26, %edx, %eax
        cmpl    %eax, %r8d
        je      pass
        movl    %eax, %r8d
        movl    %eax, %edi
        movb    $'T', %al
        call    puthex
        jmp     pass

/* page_state: the first two words of page %esi at %edi after pass %eax,
 * in %ecx and %edx; zero for pass 0 and, unless never_zero, when
 * pass + index is even. */
page_state:
        leal    (%rax,%rsi), %ecx
        orl     param_never_zero(%rip), %ecx
        xorl    %edx, %edx
        andl    $1, %ecx
        jz      2f
        movl    %eax, %ecx
        testl   %eax, %eax
        jz      2f
        movl    %eax, %edx
        xorl    %edi, %edx
        xorl    $CHECKSUM_KEY, %edx
2:      ret

/* The page at %edi is not what the previous pass left: say so, and stop. */
bad:
        movl    $bad_marker, %esi
        call    puts
        movb    $'x', %al
        call    puthex
        /* hlt faults in user mode, and PVM mishandles syscall: spin. */
        jmp     .
halt:                                   /* CPL 0 only */
        hlt                             /* interrupts are off: for good */
        jmp     halt

/* puthex: print %al, then %edi as 8 hex digits, then a newline; clobbers
 * %eax, %ecx, %edi. */
puthex:
        call    putc
        pushq   $8
        popq    %rcx
3:      roll    $4, %edi
        movl    %edi, %eax
        andb    $15, %al
        cmpb    $10, %al
        jb      6f
        addb    $'a' - '0' - 10, %al
6:      addb    $'0', %al
        call    putc
        loop    3b
        movb    $'\n', %al
        jmp     putc

/* puts: print the NUL-terminated string at %esi. */
puts:
        lodsb
        testb   %al, %al
        jz      4f
        call    putc
        jmp     puts
4:      ret

/* putc: print %al on COM1 once its transmitter is free; keeps registers. */
putc:
        pushq   %rdx
        pushq   %rax
        movw    $COM1_LSR, %dx
5:      inb     %dx, %al
        testb   $LSR_THR_EMPTY, %al
        jz      5b
        popq    %rax
        movw    $COM1, %dx
        outb    %al, %dx
        popq    %rdx
        ret

        .p2align 3
gdt:    /* The null descriptor holds the GDT pseudo-descriptor. */
        .word   gdt_end - gdt - 1
        .long   gdt
        .word   0
        .quad   0x00af9a000000ffff      /* 0x08: code, 64-bit, DPL 0 */
        .quad   0x00affa000000ffff      /* 0x10: code, 64-bit, DPL 3 */
        .quad   0x00cff2000000ffff      /* 0x18: data, DPL 3 */
gdt_end:

start_marker:
        .asciz  "\nCOLO-GUEST-START\n"
bad_marker:
        .asciz  "\nCOLO-GUEST-BAD 0"            /* guest.h: GUEST_BAD_MARKER */

/* The parameter block: guest.c knows this layout and offset. */
        .org    0x1e0
params:
        .ascii  "CSG3"                  /* magic and layout version */
param_start:
        .long   0x00100000              /* first page of the range */
param_end:
        .long   0x02100000              /* end of the range (exclusive) */
param_heartbeat:
        .long   1                       /* passes per heartbeat byte */
param_never_zero:
        .long   0                       /* 1: no page turns zero */

        .org    0x1fe
        .byte   0x55, 0xaa
