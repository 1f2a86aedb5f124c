package io.acqswitch.bench.micro;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOException;
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

/**
 * jPOS {@code ISO87BPackager} packing and unpacking (through {@code IsoCodec}) of a typical 0200
 * sale and its 0210. Unpacking includes the fresh {@code ISOMsg} a decoder needs per frame.
 * Baseline in the same run: {@code baselineCopy0200}, copying the packed bytes (the floor of
 * touching a message). Run with {@code -prof gc} for bytes per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CodecBenchmark {
    private ISOMsg request;
    private ISOMsg answer;
    private byte[] requestBytes;
    private byte[] answerBytes;

    @Setup
    public void setUp() {
        request = Messages.sale();
        answer = Messages.approval(request);
        requestBytes = Messages.pack(request);
        answerBytes = Messages.pack(answer);
    }

    @Benchmark
    public byte[] pack0200() throws ISOException {
        return Messages.CODEC.pack(request);
    }

    @Benchmark
    public ISOMsg unpack0200() throws ISOException {
        ISOMsg m = Messages.CODEC.newMessage(null);
        Messages.CODEC.unpack(requestBytes, m);
        return m;
    }

    @Benchmark
    public byte[] pack0210() throws ISOException {
        return Messages.CODEC.pack(answer);
    }

    @Benchmark
    public ISOMsg unpack0210() throws ISOException {
        ISOMsg m = Messages.CODEC.newMessage(null);
        Messages.CODEC.unpack(answerBytes, m);
        return m;
    }

    @Benchmark
    public byte[] baselineCopy0200() {
        return Arrays.copyOf(requestBytes, requestBytes.length);
    }
}
