/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-shim's guest: one 512-byte x86 boot sector.
 *
 * It switches to 32-bit protected mode (flat segments), prints a start
 * marker on COM1, clears the range [start, end) and then loops over it,
 * pass after pass (p = 1, 2, ...).  In pass p, page i (counted from start)
 * becomes all-zero when (i + p) is even, and otherwise holds the pass p in
 * its first word and a checksum of p and the page's address in its second,
 * the rest zero: so pages turn zero and non-zero all the time (unless the
 * never_zero parameter is set: then no page is zero after pass 0, and every
 * dirty page is page data to migrate).  Before it
 * writes a page the guest checks that the page holds what pass p - 1 left
 * there; if not, it prints "COLO-GUEST-BAD 0x<address>" and halts.  Every
 * `heartbeat` passes it prints one heartbeat byte.
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

        .code16
        .text
        .globl  _start
_start:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $0x7c00, %sp
        /* The range lies above 1 MiB: open the A20 gate (port 0x92). */
        inb     $0x92, %al
        orb     $2, %al
        andb    $0xfe, %al
        outb    %al, $0x92
        lgdt    gdt_desc
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmp    $0x08, $protected

        .code32
protected:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    $0x7c00, %esp
        movl    $start_marker, %esi
        call    puts
        movl    param_start, %edi
        movl    param_end, %ecx
        subl    %edi, %ecx
        jbe     halt                    /* empty range: the idle guest */
        /* Firmware may have used the range: pass 0 is all zero. */
        shrl    $2, %ecx
        xorl    %eax, %eax
        cld
        rep stosl
        movl    $1, %ebp                /* the pass */
        xorl    %ebx, %ebx              /* passes since the last heartbeat */
pass:
        movl    param_start, %edi
        xorl    %esi, %esi              /* the page's index */
page:
        leal    -1(%ebp), %eax
        call    page_state
        cmpl    (%edi), %ecx
        jne     bad
        cmpl    4(%edi), %edx
        jne     bad
        movl    %ebp, %eax
        call    page_state
        movl    %ecx, (%edi)
        movl    %edx, 4(%edi)
        addl    $PAGE, %edi
        incl    %esi
        cmpl    param_end, %edi
        jb      page
        incl    %ebp
        incl    %ebx
        cmpl    param_heartbeat, %ebx
        jb      pass
        xorl    %ebx, %ebx
        movb    heartbeat_marker, %al
        call    putc
        jmp     pass

/* page_state: the first two words of page %esi at %edi after pass %eax,
 * in %ecx and %edx; zero for pass 0 and, unless never_zero, when
 * pass + index is even. */
page_state:
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        leal    (%eax,%esi), %ecx
        orl     param_never_zero, %ecx
        testl   $1, %ecx
        movl    $0, %ecx                /* mov keeps the flags */
        jz      2f
        testl   %eax, %eax
        jz      2f
        movl    %eax, %ecx
        movl    %eax, %edx
        xorl    %edi, %edx
        xorl    $CHECKSUM_KEY, %edx
2:      ret

/* The page at %edi is not what the previous pass left: say so, and stop. */
bad:
        movl    $bad_marker, %esi
        call    puts
        movl    $8, %ecx
3:      roll    $4, %edi
        movl    %edi, %eax
        andl    $15, %eax
        movb    hex_digits(%eax), %al
        call    putc
        loop    3b
        movb    $'\n', %al
        call    putc
halt:
        hlt                             /* interrupts are off: for good */
        jmp     halt

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
        pushl   %edx
        pushl   %eax
        movw    $COM1_LSR, %dx
5:      inb     %dx, %al
        testb   $LSR_THR_EMPTY, %al
        jz      5b
        popl    %eax
        movw    $COM1, %dx
        outb    %al, %dx
        popl    %edx
        ret

        .p2align 3
gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x08: code, base 0, 4 GiB, 32-bit */
        .quad   0x00cf92000000ffff      /* 0x10: data, base 0, 4 GiB */
gdt_desc:
        .word   gdt_desc - gdt - 1
        .long   gdt

start_marker:
        .asciz  "\nCOLO-GUEST-START\n"
bad_marker:
        .asciz  "\nCOLO-GUEST-BAD 0x"           /* guest.h: GUEST_BAD_MARKER */
hex_digits:
        .ascii  "0123456789abcdef"
heartbeat_marker:
        .byte   'B'

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
