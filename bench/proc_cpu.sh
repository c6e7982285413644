# Sourced by the bench scripts: the CPU a process and its threads have used so far, from /proc, in awk (a python3
# start takes half a second here, too long for a reading taken right as a pull ends). A name in /proc's stat may hold
# spaces ("C2 CompilerThre"), so the fields are counted after its closing parenthesis.

cpu_ms() { # pid -> user+system CPU milliseconds so far
  awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz)}' "/proc/$1/stat"
}

thread_ticks() { # pid -> "group<TAB>user<TAB>system" clock ticks so far per thread group (names without their numbers), sorted
  # a thread that ended meanwhile is left out (its CPU with it)
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{
    match($0, /^.*\) /); rest = substr($0, RLENGTH + 1)
    name = substr($0, index($0, "(") + 1, RLENGTH - index($0, "(") - 2)
    sub(/[-#]?[0-9]+(-[0-9]+)*$/, "", name); gsub(/^ +| +$/, "", name)
    split(rest, f, " "); user[name] += f[12]; sys[name] += f[13]
  } END {for (n in user) printf "%s\t%d\t%d\n", n, user[n], sys[n]}' | LC_ALL=C sort
}

# what a JVM spends compiling is warm-up, not the work asked of it (0 for a process without compiler threads)
jit_cpu_ms() { # pid -> user+system CPU milliseconds so far of its C1 and C2 compiler threads
  thread_ticks "$1" | awk -F'\t' -v hz="$(getconf CLK_TCK)" '$1 ~ /^C[12] CompilerThre/ {s += $2 + $3} END {print int(s * 1000 / hz)}'
}
