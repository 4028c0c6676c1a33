package io.sequent.client;

import java.io.File;
import java.util.concurrent.atomic.AtomicInteger;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A media driver started for one client instance when no {@code aeron.dir} is configured: SHARED
 * threading mode (one thread for conductor, sender and receiver, the right choice on small
 * machines) with the configured idle strategy (adaptive by default, never busy spinning), or, in
 * {@code client.threading.mode=caller}, Aeron's INVOKER mode: no thread at all, the client's duty
 * cycle steps {@link #invoker()} on the caller's thread. Sparse term files, and its own directory
 * {@code /dev/shm/sequent-client-<pid>-<n>-<nanos>} that is deleted on start and on close.
 * Directories left by killed JVMs (whose pid no longer runs) are removed when the next driver starts.
 */
final class EmbeddedDriver implements AutoCloseable {
    static final String DIR_PREFIX = "sequent-client-";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDriver.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final MediaDriver driver;
    private final String directory;

    private EmbeddedDriver(final MediaDriver driver, final String directory) {
        this.driver = driver;
        this.directory = directory;
    }

    /**
     * Starts a driver in a fresh directory.
     *
     * @param idleStrategy name of the shared thread's idle strategy (unused by an invoked driver).
     * @param invoked      true for INVOKER mode: no thread, the owner steps {@link #invoker()}.
     * @return the running driver.
     */
    static EmbeddedDriver launch(final String idleStrategy, final boolean invoked) {
        final File base = baseDirectory();
        removeStaleDirectories(base);
        final long pid = ProcessHandle.current().pid();
        final String directory = new File(
            base, DIR_PREFIX + pid + "-" + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime()))
            .getAbsolutePath();
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(invoked ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
            .sharedIdleStrategy(IdleStrategies.create(idleStrategy))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(true)
            .errorHandler(ex -> LOG.warn("embedded media driver error", ex));
        final MediaDriver driver = MediaDriver.launch(context);
        return new EmbeddedDriver(driver, directory);
    }

    /**
     * @return the invoker that runs one duty cycle of the driver in INVOKER mode, null when the
     *     driver has its own thread. One thread at a time may invoke it.
     */
    AgentInvoker invoker() {
        return driver.sharedAgentInvoker();
    }

    /**
     * @return the driver's directory, for {@code Aeron.Context.aeronDirectoryName}.
     */
    String directory() {
        return directory;
    }

    @Override
    public void close() {
        CloseHelper.quietClose(driver);
        final File dir = new File(directory);
        if (dir.exists()) {
            IoUtil.delete(dir, true);
        }
    }

    private static File baseDirectory() {
        final File shm = new File("/dev/shm");
        return shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
    }

    private static void removeStaleDirectories(final File base) {
        final File[] entries = base.listFiles((dir, name) -> name.startsWith(DIR_PREFIX));
        if (entries == null) {
            return;
        }
        for (final File entry : entries) {
            final String rest = entry.getName().substring(DIR_PREFIX.length());
            final int dash = rest.indexOf('-');
            if (dash <= 0) {
                continue;
            }
            try {
                final long pid = Long.parseLong(rest.substring(0, dash));
                if (ProcessHandle.of(pid).isEmpty()) {
                    IoUtil.delete(entry, true);
                    LOG.info("removed media driver directory {} left by dead process {}", entry, pid);
                }
            } catch (final NumberFormatException ignored) {
                // not one of ours
            }
        }
    }
}
