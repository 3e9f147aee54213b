#!/bin/sh
# Runs named phases in order, printing the wall time of each and the total:
#   phases.sh NAME 'COMMAND' [NAME 'COMMAND'...]
# Stops at the first phase that fails, with its exit status.
now() { date +%s%N; }
start=$(now)
while [ $# -ge 2 ]; do
    name=$1; cmd=$2; shift 2
    t0=$(now)
    sh -c "$cmd"; status=$?
    t1=$(now)
    awk -v n="$name" -v d="$((t1 - t0))" 'BEGIN { printf "== phase %s: %.2f s\n", n, d / 1e9 }'
    if [ $status -ne 0 ]; then exit $status; fi
done
end=$(now)
awk -v d="$((end - start))" 'BEGIN { printf "== total: %.2f s\n", d / 1e9 }'
