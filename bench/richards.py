# Richards: Martin Richards' operating-system task scheduler simulation.
# Object-oriented: small classes, polymorphic `run` methods, linked packet
# queues, bit-flag task states. Mirrors bench/richards.cv line for line.

import sys
import time

DEFAULT_SIZE = 30
WARMUP_SIZE = 2

IDLE_COUNT = 10000
DATA_SIZE = 4

ID_IDLE = 0
ID_WORKER = 1
ID_HANDLER_A = 2
ID_HANDLER_B = 3
ID_DEVICE_A = 4
ID_DEVICE_B = 5
NUM_IDS = 6

KIND_DEVICE = 0
KIND_WORK = 1

STATE_RUNNING = 0
STATE_RUNNABLE = 1
STATE_SUSPENDED = 2
STATE_HELD = 4
STATE_SUSPENDED_RUNNABLE = STATE_SUSPENDED | STATE_RUNNABLE
STATE_NOT_HELD = ~STATE_HELD

EXPECTED_QUEUE_COUNT = 23246
EXPECTED_HOLD_COUNT = 9297


class Packet:
    def __init__(self, link, ident, kind):
        self.link = link
        self.ident = ident
        self.kind = kind
        self.a1 = 0
        self.a2 = [0] * DATA_SIZE

    def add_to(self, queue):
        self.link = None
        if queue is None:
            return self
        last = queue
        while last.link is not None:
            last = last.link
        last.link = self
        return queue


class Tcb:
    def __init__(self, link, ident, priority, queue, task):
        self.link = link
        self.ident = ident
        self.priority = priority
        self.queue = queue
        self.task = task
        if queue is None:
            self.state = STATE_SUSPENDED
        else:
            self.state = STATE_SUSPENDED_RUNNABLE

    def set_running(self):
        self.state = STATE_RUNNING

    def mark_not_held(self):
        self.state = self.state & STATE_NOT_HELD

    def mark_held(self):
        self.state = self.state | STATE_HELD

    def mark_suspended(self):
        self.state = self.state | STATE_SUSPENDED

    def mark_runnable(self):
        self.state = self.state | STATE_RUNNABLE

    def is_held_or_suspended(self):
        return (self.state & STATE_HELD) != 0 or self.state == STATE_SUSPENDED

    def run(self):
        if self.state == STATE_SUSPENDED_RUNNABLE:
            packet = self.queue
            self.queue = packet.link
            if self.queue is None:
                self.state = STATE_RUNNING
            else:
                self.state = STATE_RUNNABLE
        else:
            packet = None
        return self.task.run(packet)

    def check_priority_add(self, task, packet):
        if self.queue is None:
            self.queue = packet
            self.mark_runnable()
            if self.priority > task.priority:
                return self
        else:
            self.queue = packet.add_to(self.queue)
        return task


class Scheduler:
    def __init__(self):
        self.queue_count = 0
        self.hold_count = 0
        self.trace = 0
        self.blocks = [None] * NUM_IDS
        self.list = None
        self.current_tcb = None
        self.current_id = 0

    def add_task(self, ident, priority, queue, task):
        self.current_tcb = Tcb(self.list, ident, priority, queue, task)
        self.list = self.current_tcb
        self.blocks[ident] = self.current_tcb

    def add_running_task(self, ident, priority, queue, task):
        self.add_task(ident, priority, queue, task)
        self.current_tcb.set_running()

    def schedule(self):
        self.current_tcb = self.list
        while self.current_tcb is not None:
            if self.current_tcb.is_held_or_suspended():
                self.current_tcb = self.current_tcb.link
            else:
                self.current_id = self.current_tcb.ident
                self.current_tcb = self.current_tcb.run()

    def release(self, ident):
        tcb = self.blocks[ident]
        tcb.mark_not_held()
        if tcb.priority > self.current_tcb.priority:
            return tcb
        return self.current_tcb

    def hold_current(self):
        self.hold_count += 1
        self.current_tcb.mark_held()
        return self.current_tcb.link

    def suspend_current(self):
        self.current_tcb.mark_suspended()
        return self.current_tcb

    def queue(self, packet):
        tcb = self.blocks[packet.ident]
        self.queue_count += 1
        packet.link = None
        packet.ident = self.current_id
        return tcb.check_priority_add(self.current_tcb, packet)


class IdleTask:
    def __init__(self, sched, v1, count):
        self.sched = sched
        self.v1 = v1
        self.count = count

    def run(self, packet):
        self.count -= 1
        if self.count == 0:
            return self.sched.hold_current()
        if (self.v1 & 1) == 0:
            self.v1 = self.v1 >> 1
            return self.sched.release(ID_DEVICE_A)
        self.v1 = (self.v1 >> 1) ^ 0xD008
        return self.sched.release(ID_DEVICE_B)


class DeviceTask:
    def __init__(self, sched):
        self.sched = sched
        self.pending = None

    def run(self, packet):
        if packet is None:
            if self.pending is None:
                return self.sched.suspend_current()
            p = self.pending
            self.pending = None
            return self.sched.queue(p)
        self.pending = packet
        self.sched.trace = (self.sched.trace * 31 + packet.a1) % 1000003
        return self.sched.hold_current()


class WorkerTask:
    def __init__(self, sched, dest, count):
        self.sched = sched
        self.dest = dest
        self.count = count

    def run(self, packet):
        if packet is None:
            return self.sched.suspend_current()
        if self.dest == ID_HANDLER_A:
            self.dest = ID_HANDLER_B
        else:
            self.dest = ID_HANDLER_A
        packet.ident = self.dest
        packet.a1 = 0
        for i in range(DATA_SIZE):
            self.count += 1
            if self.count > 26:
                self.count = 1
            packet.a2[i] = self.count
        return self.sched.queue(packet)


class HandlerTask:
    def __init__(self, sched):
        self.sched = sched
        self.work = None
        self.devices = None

    def run(self, packet):
        if packet is not None:
            if packet.kind == KIND_WORK:
                self.work = packet.add_to(self.work)
            else:
                self.devices = packet.add_to(self.devices)
        if self.work is not None:
            count = self.work.a1
            if count < DATA_SIZE:
                if self.devices is not None:
                    dev = self.devices
                    self.devices = dev.link
                    dev.a1 = self.work.a2[count]
                    self.work.a1 = count + 1
                    return self.sched.queue(dev)
            else:
                w = self.work
                self.work = w.link
                return self.sched.queue(w)
        return self.sched.suspend_current()


def run_once():
    s = Scheduler()
    s.add_running_task(ID_IDLE, 0, None, IdleTask(s, 1, IDLE_COUNT))

    q = Packet(None, ID_WORKER, KIND_WORK)
    q = Packet(q, ID_WORKER, KIND_WORK)
    s.add_task(ID_WORKER, 1000, q, WorkerTask(s, ID_HANDLER_A, 0))

    q = Packet(None, ID_DEVICE_A, KIND_DEVICE)
    q = Packet(q, ID_DEVICE_A, KIND_DEVICE)
    q = Packet(q, ID_DEVICE_A, KIND_DEVICE)
    s.add_task(ID_HANDLER_A, 2000, q, HandlerTask(s))

    q = Packet(None, ID_DEVICE_B, KIND_DEVICE)
    q = Packet(q, ID_DEVICE_B, KIND_DEVICE)
    q = Packet(q, ID_DEVICE_B, KIND_DEVICE)
    s.add_task(ID_HANDLER_B, 3000, q, HandlerTask(s))

    s.add_task(ID_DEVICE_A, 4000, None, DeviceTask(s))
    s.add_task(ID_DEVICE_B, 5000, None, DeviceTask(s))

    s.schedule()
    if s.queue_count != EXPECTED_QUEUE_COUNT or s.hold_count != EXPECTED_HOLD_COUNT:
        raise Exception("richards: wrong counts %d %d" % (s.queue_count, s.hold_count))
    return s.queue_count + s.hold_count + s.trace


def kernel(n):
    checksum = 0
    for _ in range(n):
        checksum += run_once()
    return checksum


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
