# Dict and string work: build pseudo-random words from syllables by string
# concatenation, join them into lines and a text, split the text again,
# count words and word pairs in dicts, search lines for a substring, and
# transform every distinct word (upper-casing, replacing, prefix tests,
# a per-character hash). Mirrors bench/dict_string.cv.
#
# Checksum: order-independent sums over the dicts, combined with their sizes.

import sys
import time

DEFAULT_SIZE = 1300000
WARMUP_SIZE = 2000

MOD = 1000003
SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to",
             "vu", "xe", "za", "bo", "de", "fi", "gu", "ha"]
WORDS_PER_LINE = 12


def next_rand(seed):
    return (seed * 75 + 74) % 65537


def str_hash(s):
    h = 0
    for c in s:
        h = (h * 31 + ord(c)) % MOD
    return h


def kernel(n):
    # Words of one to three syllables.
    seed = 42
    words = []
    for i in range(n):
        seed = next_rand(seed)
        k = 1 + seed % 3
        w = ""
        for j in range(k):
            seed = next_rand(seed)
            w += SYLLABLES[seed % 16]
        words.append(w)

    # Lines of WORDS_PER_LINE words, then one text.
    lines = []
    i = 0
    while i < n:
        j = i + WORDS_PER_LINE
        if j > n:
            j = n
        lines.append(" ".join(words[i:j]))
        i = j
    text = "\n".join(lines)

    # Split the text again; count words and occurrences of "ra".
    counts = {}
    hits = 0
    for line in text.split("\n"):
        hits += line.count("ra")
        for w in line.split(" "):
            c = counts.get(w)
            if c is not None:
                counts[w] = c + 1
            else:
                counts[w] = 1

    # Word pairs, keyed by a concatenated string.
    pairs = {}
    prev = ""
    for w in words:
        key = prev + "+" + w
        c = pairs.get(key)
        if c is not None:
            pairs[key] = c + 1
        else:
            pairs[key] = 1
        prev = w

    total = hits
    for w, c in counts.items():
        upper = w.upper()
        replaced = w.replace("a", "4")
        if w.startswith("ka"):
            total += c
        total = (total + str_hash(upper) * c + len(replaced)) % MOD
    for key, c in pairs.items():
        total = (total + str_hash(key) * c) % MOD

    return ((total * 7919 + len(counts)) * 7919 + len(pairs)) % 1000000007


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SIZE
    kernel(WARMUP_SIZE)
    t0 = time.monotonic()
    result = kernel(n)
    t1 = time.monotonic()
    print("checksum: %d" % result)
    print("elapsed: %.6f" % (t1 - t0))


if __name__ == "__main__":
    main()
