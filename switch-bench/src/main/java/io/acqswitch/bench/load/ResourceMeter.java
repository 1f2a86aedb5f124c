package io.acqswitch.bench.load;

import java.util.List;

/**
 * CPU time and heap allocation of the process that serves a target, over a run's measured window:
 * {@link #begin()} and {@link #end()} mark the window, {@link #usage()} gives what was spent between.
 * {@link ProcessResources} meters this JVM (the soak, whose switch runs in it); {@link ChildProcess#meter()}
 * meters a child JVM (the harness's targets and stub).
 */
interface ResourceMeter {
    /** Meters nothing: for runs whose cost is of no interest (the harness's warm-up). */
    ResourceMeter NONE = new ResourceMeter() {
        @Override
        public void begin() {}

        @Override
        public void end() {}

        @Override
        public Usage usage() {
            return Usage.UNKNOWN;
        }
    };

    /** The sum of {@code meters}: the JVMs that together serve a target (a cluster's nodes). */
    static ResourceMeter sum(List<ResourceMeter> meters) {
        return new ResourceMeter() {
            @Override
            public void begin() {
                meters.forEach(ResourceMeter::begin);
            }

            @Override
            public void end() {
                meters.forEach(ResourceMeter::end);
            }

            @Override
            public Usage usage() {
                double cpu = 0;
                double allocated = 0;
                for (ResourceMeter m : meters) {
                    Usage u = m.usage();
                    cpu += u.cpuNanos();
                    allocated += u.allocatedBytes();
                }
                return new Usage(cpu, allocated);
            }
        };
    }

    /** Marks the window's start. Called on the generator's sender thread: returns at once, whatever it costs. */
    void begin();

    /** Marks the window's end; likewise returns at once. */
    void end();

    /**
     * What the process spent between {@link #begin()} and {@link #end()}; called after {@code end()}.
     * May wait (a bounded few seconds) for a child's figures; {@link Usage#UNKNOWN} when none came.
     */
    Usage usage();

    /**
     * @param cpuNanos       CPU time of every thread of the process (JIT and GC included)
     * @param allocatedBytes heap allocated by every thread of the process
     */
    record Usage(double cpuNanos, double allocatedBytes) {
        static final Usage UNKNOWN = new Usage(Double.NaN, Double.NaN);

        double cpuMicrosPer(long transactions) {
            return transactions == 0 ? Double.NaN : cpuNanos / 1000.0 / transactions;
        }

        double allocatedBytesPer(long transactions) {
            return transactions == 0 ? Double.NaN : allocatedBytes / transactions;
        }
    }
}
