#ifndef CPROCESSCONTROL_H
#define CPROCESSCONTROL_H

/// Asks the kernel to send `signal` to this process when its parent dies (Linux's PR_SET_PDEATHSIG), so a batch's
/// child never outlives the batch, even one killed with SIGKILL. Returns 0 on success, -1 with errno otherwise.
/// (prctl is variadic, which Swift cannot call directly.)
int regionplot_set_parent_death_signal(int signal);

/// Tells glibc's malloc to keep freed memory for reuse: a run draws figures of megabytes each, and memory handed back
/// to the kernel after each must be faulted in and zeroed again for the next (docs/speed.md).
/// Returns 1 when every setting was taken.
int regionplot_keep_freed_memory(void);

#endif
