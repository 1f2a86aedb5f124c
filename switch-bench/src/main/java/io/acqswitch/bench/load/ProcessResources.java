package io.acqswitch.bench.load;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * CPU time and heap allocation of this whole process between {@link #begin()} and {@link #end()}.
 * In the soak, simulator, stub and switch share this JVM, so its figures are theirs together; the
 * load harness meters each child JVM instead ({@link ChildProcess#meter()}). Written by the sender
 * thread, read after the run.
 */
final class ProcessResources implements ResourceMeter {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS =
            (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long cpuNanos;
    private long allocatedBytes;

    /** This process's CPU time and heap allocated so far: {@code [cpuNanos, allocatedBytes]}. */
    static long[] now() {
        return new long[] {OS.getProcessCpuTime(), THREADS.getTotalThreadAllocatedBytes()};
    }

    @Override
    public void begin() {
        long[] n = now();
        cpuNanos = -n[0];
        allocatedBytes = -n[1];
    }

    @Override
    public void end() {
        long[] n = now();
        cpuNanos += n[0];
        allocatedBytes += n[1];
    }

    @Override
    public Usage usage() {
        return new Usage(cpuNanos, allocatedBytes);
    }
}
