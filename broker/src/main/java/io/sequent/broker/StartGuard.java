package io.sequent.broker;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.sequent.codec.client.ErrorCode;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.MappedByteBuffer;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checks, before a broker starts anything, that it would not take over what another running broker owns: its
 * media driver directory and its UDP port. The embedded driver deletes its directory on start, so starting a
 * second broker on a port in use (whose default {@code aeron.dir} is named after the port) would otherwise delete
 * the running broker's driver files, leaving it alive but unreachable.
 * <p>
 * A driver directory is in use when the process whose pid its {@code cnc.dat} records is alive: a broker stopped
 * by {@code SIGSTOP} or a long pause has a stale heartbeat but a live process and must not lose its files, while a
 * SIGKILLed one's heartbeat still looks fresh for seconds although nothing runs. A pid reused by a process started
 * after the file was written does not count. When the file names no pid, or this process wrote it (another broker
 * in the same JVM), a heartbeat younger than the driver timeout (Aeron's own {@code CommonContext.isDriverActive}
 * test) decides. Cold path, the launching thread.
 */
final class StartGuard {
    private static final long DRIVER_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);

    private StartGuard() {
    }

    /**
     * @param ctx the concluded settings of the broker about to start.
     * @throws BrokerException when the embedded driver's directory belongs to a live driver, or the ingress port
     *                         is bound by another process.
     */
    static void check(final BrokerContext ctx) {
        if (ctx.embeddedDriver()) {
            final long pid = liveDriverPid(new File(ctx.aeronDir()));
            if (0 != pid) {
                throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR,
                    "port " + ctx.port() + " is in use by another broker: its media driver (process " + pid +
                    ") owns " + BrokerContext.AERON_DIR_PROP + "=" + ctx.aeronDir() + "; stop it or choose another " +
                    BrokerContext.PORT_PROP);
            }
        }
        if (0 != ctx.port()) {
            checkPortFree(ctx.host(), ctx.port());
        }
    }

    /**
     * @return the pid of the live driver that owns {@code dir} (-1 when it is live but its pid is unknown), or 0
     * when the directory is absent or stale and may be deleted.
     */
    static long liveDriverPid(final File dir) {
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.META_DATA_LENGTH) {
            return 0;
        }
        final boolean heartbeat = CommonContext.isDriverActive(dir, DRIVER_TIMEOUT_MS, ignored -> { });
        long pid = 0;
        long startMs = 0;
        MappedByteBuffer mapped = null;
        try {
            mapped = IoUtil.mapExistingFile(cnc, "cnc");
            final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(mapped);
            if (0 != meta.getIntVolatile(CncFileDescriptor.cncVersionOffset(0))) {
                pid = CncFileDescriptor.pid(meta);
                startMs = CncFileDescriptor.startTimestampMs(meta);
            }
        } catch (final RuntimeException ex) {
            // unreadable: only the heartbeat test decides
        } finally {
            if (null != mapped) {
                IoUtil.unmap(mapped);
            }
        }
        if (pid > 0 && pid != ProcessHandle.current().pid()) {
            // another process wrote it: whether that process lives decides (a SIGKILLed broker's heartbeat is still
            // fresh for a while, a paused one's is stale)
            return isAliveSince(pid, startMs) ? pid : 0;
        }
        if (heartbeat) {
            return pid > 0 ? pid : -1;
        }
        return 0;
    }

    private static boolean isAliveSince(final long pid, final long startMs) {
        final Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        final Optional<Instant> started = process.get().info().startInstant();
        // a process started after the file was written reuses the pid (1 s of slack for clock granularity)
        return started.isEmpty() || started.get().toEpochMilli() <= startMs + 1_000;
    }

    private static void checkPortFree(final String host, final int port) {
        final InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (final IOException ex) {
            return; // reported by the ingress channel with its own message
        }
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(address, port));
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR, "port " + port + " is in use: UDP " + host +
                ":" + port + " is bound by another process (" + ex.getMessage() + "); stop it or choose another " +
                BrokerContext.PORT_PROP);
        }
    }
}
