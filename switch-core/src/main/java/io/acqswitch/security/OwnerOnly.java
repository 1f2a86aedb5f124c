package io.acqswitch.security;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Files of the security module: created readable by their owner only (0700 directories, 0600 files,
 * where the file system has POSIX permissions), and a lock that serializes writers across processes
 * (the switch and the {@code keys} command) and within one JVM.
 */
final class OwnerOnly {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** One lock per lock file in this JVM: a second FileChannel lock in the same JVM would throw, not wait. */
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private OwnerOnly() {}

    /** Creates {@code dir} (and parents) if missing; a directory this creates is 0700. */
    static Path directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, attributes("rwx------"));
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: fine
            }
        }
        return dir;
    }

    /** Creates an empty 0600 file; fails if it exists. */
    static Path newFile(Path file) throws IOException {
        return Files.createFile(file, attributes("rw-------"));
    }

    /** Opens {@code file} for appending, creating it 0600 if missing. */
    static FileChannel append(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                newFile(file);
            } catch (FileAlreadyExistsException raced) {
                // created meanwhile by another writer
            }
        }
        return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static FileAttribute<?>[] attributes(String perms) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))}
                : new FileAttribute<?>[0];
    }

    /** Holds {@code lockFile} exclusively (waits for other holders); {@link #close} releases it. */
    static Held lock(Path lockFile) throws IOException {
        ReentrantLock local = IN_JVM.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        local.lock();
        try {
            FileChannel ch = append(lockFile);
            try {
                return new Held(local, ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    /** A held lock file. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock local;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(ReentrantLock local, FileChannel channel, FileLock lock) {
            this.local = local;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
                channel.close();
            } finally {
                local.unlock();
            }
        }
    }
}
