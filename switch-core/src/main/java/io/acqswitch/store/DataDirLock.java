package io.acqswitch.store;

import io.acqswitch.config.StartupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one switch allowed on a dataDir: an exclusive OS lock on {@code <dataDir>/switch.lock}, which holds the owner's pid. */
public final class DataDirLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirLock.class);
    /** The lock file's name under the data directory. */
    public static final String FILE = "switch.lock";

    /**
     * Lock files this JVM holds. Checked before a channel is even opened on the file: on Linux, closing
     * any channel on a file drops every lock this process holds on it, so a refused second node in the
     * same JVM must not open (and close) one, or the first node's lock would be gone for other processes.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dataDir} (creating the directory and the file if needed) and writes this
     * process's pid into the file. Never waits: a held lock is a refusal. The file is never deleted
     * (only the OS lock counts), so it cannot be swapped under a process that has it open; the lock
     * goes when {@link #close} runs or the process dies, however it dies.
     *
     * @throws StartupException {@code dataDir=<dataDir>: in use by process <pid>} when another process,
     *         or another node in this JVM, holds it; {@code dataDir=<dataDir>: cannot lock ...} when the
     *         file cannot be created or locked
     */
    public static DataDirLock acquire(Path dataDir) throws StartupException {
        Path file;
        try {
            Files.createDirectories(dataDir);
            file = dataDir.toRealPath().resolve(FILE);
        } catch (IOException e) {
            throw new StartupException("dataDir=" + dataDir + ": cannot create it (" + e + ")", e);
        }
        if (!HELD.add(file)) {
            throw inUse(dataDir, Long.toString(ProcessHandle.current().pid()));
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                // held in this JVM by something other than a DataDirLock: refused all the same (closing
                // our channel may drop that holder's OS lock, as the JDK warns; no DataDirLock gets here)
                throw inUse(dataDir, Long.toString(ProcessHandle.current().pid()));
            }
            if (lock == null) {
                throw inUse(dataDir, owner(channel));
            }
            // not truncated before the lock was ours: the holder's pid is what a refused process reports
            byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(false);
            return new DataDirLock(file, channel, lock);
        } catch (StartupException e) {
            closeQuietly(channel);
            HELD.remove(file);
            throw e;
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(file);
            throw new StartupException("dataDir=" + dataDir + ": cannot lock " + file + " (" + e + ")", e);
        }
    }

    private static StartupException inUse(Path dataDir, String pid) {
        return new StartupException("dataDir=" + dataDir + ": in use by process " + pid);
    }

    /** The pid the holder wrote, read through the refused process's own channel (it holds no lock to lose). */
    private static String owner(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        channel.read(buf, 0);
        String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        return pid.isEmpty() ? "(pid not written yet)" : pid;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // refusing anyway; nothing of ours to keep
            }
        }
    }

    /** Releases the lock (the file stays, with the last owner's pid). Idempotent. */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            LOG.warn("could not release {} ({}): it goes when this process exits", file, e.toString());
        } finally {
            HELD.remove(file);
        }
    }
}
