package io.acqswitch.bench.load;

import java.lang.management.ManagementFactory;

/**
 * CPU time and heap allocation of this whole process between {@link #begin()} and {@link #end()}:
 * with simulator, stub and target in one JVM, a target's own share is its figure minus the
 * stub-direct target's. Written by the sender thread, read after the run.
 */
final class ProcessResources {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long cpuNanos;
    private long allocatedBytes;

    void begin() {
        cpuNanos = -OS.getProcessCpuTime();
        allocatedBytes = -THREADS.getTotalThreadAllocatedBytes();
    }

    void end() {
        cpuNanos += OS.getProcessCpuTime();
        allocatedBytes += THREADS.getTotalThreadAllocatedBytes();
    }

    double cpuMicrosPer(long transactions) {
        return transactions == 0 ? Double.NaN : cpuNanos / 1000.0 / transactions;
    }

    double allocatedBytesPer(long transactions) {
        return transactions == 0 ? Double.NaN : allocatedBytes / (double) transactions;
    }
}
