#!/usr/bin/env python3
"""Runs a command N times and prints its fastest wall time and its least CPU time (user + system, children
included), so that whole-process timings on a shared machine can be repeated and compared.

    python3 scripts/time_best.py N command [args...]
"""
import os, resource, subprocess, sys, time

def main():
    n, command = int(sys.argv[1]), sys.argv[2:]
    best_wall = best_cpu = float("inf")
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        # One run shows what the command prints; repeated runs keep quiet.
        subprocess.run(command, check=True, stdout=None if n == 1 else subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    print(f"best of {n}: wall {best_wall:.3f} s, cpu {best_cpu:.3f} s   {' '.join(command)}")

if __name__ == "__main__":
    main()
