#include "CProcessControl.h"
#include <sys/prctl.h>

int regionplot_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

#include <malloc.h>

int regionplot_keep_freed_memory(void) {
    // Blocks up to 256 MB come from the heap instead of their own mappings, and the heap is not trimmed below
    // 1 GB: freed memory is reused instead of given back and faulted in again.
    int ok = mallopt(M_MMAP_THRESHOLD, 256 << 20);
    ok &= mallopt(M_TRIM_THRESHOLD, 1 << 30);
    ok &= mallopt(M_TOP_PAD, 16 << 20);
    return ok;
}
