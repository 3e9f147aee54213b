# Dhrystone-style benchmark: the procedures of Weicker's Dhrystone 2.1
# (records with struct-style assignment, module-level globals, small
# procedures, one-character and whole-string comparisons, integer
# arithmetic, one- and two-dimensional arrays). Mirrors bench/dhrystone.cv.

import sys
import time

DEFAULT_SIZE = 600000
WARMUP_SIZE = 2000

TRUE = 1
FALSE = 0

IDENT_1 = 1
IDENT_2 = 2
IDENT_3 = 3
IDENT_4 = 4
IDENT_5 = 5

int_glob = 0
bool_glob = FALSE
char1_glob = "\0"
char2_glob = "\0"
array1_glob = None
array2_glob = None
ptr_glob = None


class Record:
    def __init__(self, ptr_comp, discr, enum_comp, int_comp, str_comp):
        self.ptr_comp = ptr_comp
        self.discr = discr
        self.enum_comp = enum_comp
        self.int_comp = int_comp
        self.str_comp = str_comp

    # Struct assignment: copy every field of `other` into this record.
    def assign_from(self, other):
        self.ptr_comp = other.ptr_comp
        self.discr = other.discr
        self.enum_comp = other.enum_comp
        self.int_comp = other.int_comp
        self.str_comp = other.str_comp


def proc_1(ptr_val_par):
    next_record = ptr_val_par.ptr_comp
    next_record.assign_from(ptr_glob)
    ptr_val_par.int_comp = 5
    next_record.int_comp = ptr_val_par.int_comp
    next_record.ptr_comp = ptr_val_par.ptr_comp
    next_record.ptr_comp = proc_3(next_record.ptr_comp)
    if next_record.discr == IDENT_1:
        next_record.int_comp = 6
        next_record.enum_comp = proc_6(ptr_val_par.enum_comp)
        next_record.ptr_comp = ptr_glob.ptr_comp
        next_record.int_comp = proc_7(next_record.int_comp, 10)
    else:
        ptr_val_par.assign_from(ptr_val_par.ptr_comp)


def proc_2(int_par):
    int_loc = int_par + 10
    enum_loc = IDENT_2
    while True:
        if char1_glob == "A":
            int_loc -= 1
            int_par = int_loc - int_glob
            enum_loc = IDENT_1
        if enum_loc == IDENT_1:
            break
    return int_par


def proc_3(ptr_par):
    if ptr_glob is not None:
        ptr_par = ptr_glob.ptr_comp
    ptr_glob.int_comp = proc_7(10, int_glob)
    return ptr_par


def proc_4():
    global bool_glob, char2_glob
    bool_loc = FALSE
    if char1_glob == "A":
        bool_loc = TRUE
    bool_glob = bool_loc | bool_glob
    char2_glob = "B"


def proc_5():
    global char1_glob, bool_glob
    char1_glob = "A"
    bool_glob = FALSE


def proc_6(enum_val_par):
    enum_par_out = enum_val_par
    if not func_3(enum_val_par):
        enum_par_out = IDENT_4
    if enum_val_par == IDENT_1:
        enum_par_out = IDENT_1
    elif enum_val_par == IDENT_2:
        if int_glob > 100:
            enum_par_out = IDENT_1
        else:
            enum_par_out = IDENT_4
    elif enum_val_par == IDENT_3:
        enum_par_out = IDENT_2
    elif enum_val_par == IDENT_4:
        pass
    elif enum_val_par == IDENT_5:
        enum_par_out = IDENT_3
    return enum_par_out


def proc_7(int_1_par, int_2_par):
    int_loc = int_1_par + 2
    return int_2_par + int_loc


def proc_8(array1, array2, int_1_par, int_2_par):
    global int_glob
    int_loc = int_1_par + 5
    array1[int_loc] = int_2_par
    array1[int_loc + 1] = array1[int_loc]
    array1[int_loc + 30] = int_loc
    for int_index in range(int_loc, int_loc + 2):
        array2[int_loc][int_index] = int_loc
    array2[int_loc][int_loc - 1] += 1
    array2[int_loc + 20][int_loc] = array1[int_loc]
    int_glob = 5


def func_1(ch_1_par, ch_2_par):
    global char1_glob
    ch_1_loc = ch_1_par
    ch_2_loc = ch_1_loc
    if ch_2_loc != ch_2_par:
        return IDENT_1
    char1_glob = ch_1_loc
    return IDENT_2


# A predicate: true iff str_1 "wins" (see Dhrystone's Func_2).
def func_2(str_1_par, str_2_par):
    global int_glob
    int_loc = 2
    ch_loc = "A"
    while int_loc <= 2:
        if func_1(str_1_par[int_loc], str_2_par[int_loc + 1]) == IDENT_1:
            ch_loc = "A"
            int_loc += 1
    if ch_loc >= "W" and ch_loc < "Z":
        int_loc = 7
    if ch_loc == "R":
        return True
    if str_1_par > str_2_par:
        int_loc += 7
        int_glob = int_loc
        return True
    return False


def func_3(enum_par):
    enum_loc = enum_par
    return enum_loc == IDENT_3


def kernel(loops):
    global int_glob, bool_glob, char1_glob, char2_glob
    global array1_glob, array2_glob, ptr_glob
    int_glob = 0
    bool_glob = FALSE
    char1_glob = "\0"
    char2_glob = "\0"
    array1_glob = [0] * 50
    array2_glob = []
    for i in range(50):
        array2_glob.append([0] * 50)
    next_ptr_glob = Record(None, 0, 0, 0, "")
    ptr_glob = Record(next_ptr_glob, IDENT_1, IDENT_3, 40, "DHRYSTONE PROGRAM, SOME STRING")
    str_1_loc = "DHRYSTONE PROGRAM, 1'ST STRING"
    array2_glob[8][7] = 10

    acc = 0
    for run_index in range(1, loops + 1):
        proc_5()
        proc_4()
        int_1_loc = 2
        int_2_loc = 3
        str_2_loc = "DHRYSTONE PROGRAM, 2'ND STRING"
        enum_loc = IDENT_2
        if func_2(str_1_loc, str_2_loc):
            bool_glob = FALSE
        else:
            bool_glob = TRUE
        while int_1_loc < int_2_loc:
            int_3_loc = 5 * int_1_loc - int_2_loc
            int_3_loc = proc_7(int_1_loc, int_2_loc)
            int_1_loc += 1
        proc_8(array1_glob, array2_glob, int_1_loc, int_3_loc)
        proc_1(ptr_glob)
        ch_index = "A"
        while ch_index <= char2_glob:
            if enum_loc == func_1(ch_index, "C"):
                enum_loc = proc_6(IDENT_1)
                str_2_loc = "DHRYSTONE PROGRAM, 3'RD STRING"
                int_2_loc = run_index
                int_glob = run_index
            ch_index = chr(ord(ch_index) + 1)
        int_2_loc = int_2_loc * int_1_loc
        int_1_loc = int_2_loc // int_3_loc
        int_2_loc = 7 * (int_2_loc - int_3_loc) - int_1_loc
        int_1_loc = proc_2(int_1_loc)
        acc = (acc * 7 + int_1_loc * 3 + int_2_loc * 5 + int_3_loc * 11 + enum_loc + bool_glob) % 1000003

    final = int_glob + ord(char1_glob) + ord(char2_glob)
    final += array1_glob[8] + array2_glob[8][7]
    final += ptr_glob.int_comp + ptr_glob.enum_comp
    final += next_ptr_glob.int_comp + next_ptr_glob.enum_comp
    final += len(next_ptr_glob.str_comp) + len(str_2_loc)
    return acc * 10000000 + final


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
