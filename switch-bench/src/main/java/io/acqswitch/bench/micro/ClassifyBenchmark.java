package io.acqswitch.bench.micro;

import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.Validator;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link Classifier#classify} and {@link Validator#check} of an unpacked 0200 sale, what the Netty
 * thread does per request after unpacking. Baseline in the same run: {@code baselineMti}, reading
 * the MTI alone (the least any classification must do).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ClassifyBenchmark {
    private ISOMsg sale;

    @Setup
    public void setUp() {
        sale = Messages.sale();
    }

    @Benchmark
    public MessageClass classify() {
        return Classifier.classify(sale, Dialect.ISO87);
    }

    @Benchmark
    public void classifyAndValidate(Blackhole bh) {
        MessageClass cls = Classifier.classify(sale, Dialect.ISO87);
        bh.consume(cls);
        bh.consume(Validator.check(sale, cls, Dialect.ISO87));
    }

    @Benchmark
    public String baselineMti() {
        return sale.getString(0);
    }
}
