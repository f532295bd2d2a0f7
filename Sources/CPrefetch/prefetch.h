#ifndef KAIZEN_PREFETCH_H
#define KAIZEN_PREFETCH_H

/* Asks the processor to bring the cache line at `address` in ahead of a read: for walks whose next address is known
   but not a constant stride away (the rows of a CSV file), which the hardware's own prefetchers do not foresee. */
static inline void kaizen_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/* Tells the processor the thread is in a spin-wait loop (x86 `pause`, Arm `yield`): it yields the core's resources to
   the other hardware thread and saves power while the loop polls. */
static inline void kaizen_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
