/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-shim's guest: one 512-byte x86 boot sector.
 *
 * It switches to 32-bit protected mode (flat segments), prints a start
 * marker on COM1, then loops forever: each pass adds one to the first byte
 * of every 4 KiB page in [start, end), and every `heartbeat` passes it
 * prints one heartbeat byte.  So after the guest is stopped, the first
 * bytes of the range read v+1 ... v+1, v ... v (mod 256): one step down
 * where the pass was interrupted, which is what the shim checks on a
 * failover survivor.
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
        movl    param_start, %eax
        cmpl    param_end, %eax
        jae     idle
        xorl    %ebx, %ebx              /* passes since the last heartbeat */
pass:
        movl    param_start, %edi
        movl    param_end, %ecx
1:      incb    (%edi)
        addl    $PAGE, %edi
        cmpl    %ecx, %edi
        jb      1b
        incl    %ebx
        cmpl    param_heartbeat, %ebx
        jb      pass
        xorl    %ebx, %ebx
        movb    heartbeat_marker, %al
        call    putc
        jmp     pass

idle:
        hlt                             /* interrupts are off: for good */
        jmp     idle

/* puts: print the NUL-terminated string at %esi. */
puts:
        lodsb
        testb   %al, %al
        jz      2f
        call    putc
        jmp     puts
2:      ret

/* putc: print %al on COM1 once its transmitter is free; keeps registers. */
putc:
        pushl   %edx
        pushl   %eax
        movw    $COM1_LSR, %dx
3:      inb     %dx, %al
        testb   $LSR_THR_EMPTY, %al
        jz      3b
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
heartbeat_marker:
        .byte   'B'

/* The parameter block: guest.c knows this layout and offset. */
        .org    0x1e0
params:
        .ascii  "CSG1"                  /* magic and layout version */
param_start:
        .long   0x00100000              /* first page of the range */
param_end:
        .long   0x02100000              /* end of the range (exclusive) */
param_heartbeat:
        .long   1                       /* passes per heartbeat byte */

        .org    0x1fe
        .byte   0x55, 0xaa
