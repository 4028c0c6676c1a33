package io.sequent.client;

import io.aeron.Aeron;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.client.ErrorCode;

/**
 * A client's Aeron side, the one part that is rebuilt when it dies under the client: the embedded
 * media driver (unless {@code aeron.dir} names one) and the Aeron client. The Aeron client gives
 * itself up for good when its conductor misses its service interval or loses the driver's
 * heartbeat (a process paused longer than the 10 s liveness timeout: {@code kill -STOP}, a long GC
 * pause, a stalled VM), or when the driver times it out; it then closes every publication and
 * subscription it made. {@link #isLost()} notices that, and {@link #rebuild()} closes what is left
 * and starts a fresh driver and client.
 *
 * <p>Single writer: the thread that starts it and then the client's I/O thread call every method;
 * the Aeron conductor thread only sets the lost flag from its error handler.
 */
final class ClientAeron implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientAeron.class);

    private final ClientConfig config;
    private final String clientId;
    private EmbeddedDriver driver;
    private volatile Aeron aeron;
    private volatile String conductorFailure;
    private volatile long rebuilds;

    private ClientAeron(final ClientConfig config, final String clientId) {
        this.config = config;
        this.clientId = clientId;
    }

    /**
     * Starts the driver (when embedded) and the Aeron client.
     *
     * @param config   the client's settings.
     * @param clientId the client id, for log lines.
     * @return the running Aeron side.
     * @throws SequentException when the driver or the client cannot start.
     */
    static ClientAeron start(final ClientConfig config, final String clientId) {
        final ClientAeron side = new ClientAeron(config, clientId);
        side.launch();
        return side;
    }

    /**
     * @return the current Aeron client; a new instance after each {@link #rebuild()}.
     */
    Aeron aeron() {
        return aeron;
    }

    /**
     * @return how many times the Aeron side was rebuilt.
     */
    long rebuilds() {
        return rebuilds;
    }

    /**
     * @return true when the Aeron client is closed or its conductor gave up, so nothing made with it
     *     works any more. Cheap: volatile reads.
     */
    boolean isLost() {
        return conductorFailure != null || aeron == null || aeron.isClosed();
    }

    /**
     * Closes the dead client and the embedded driver, then starts both again. Logs one WARN line.
     *
     * @param noticed what the caller noticed, for the log line when the conductor reported nothing.
     * @throws SequentException when the new driver or client cannot start (the caller tries again).
     */
    void rebuild(final String noticed) {
        rebuilds++;
        final String failure = conductorFailure;
        final String cause = failure != null ? failure
            : aeron == null ? "the last rebuild failed" : aeron.isClosed() ? "closed" : noticed;
        LOG.warn("client {}: Aeron client lost ({}); rebuilding {} (rebuild {})", clientId, cause,
            config.aeronDirectory() == null ? "the embedded media driver and the Aeron client"
                : "the Aeron client of the driver at " + config.aeronDirectory(), rebuilds);
        closeAeron();
        launch();
    }

    @Override
    public void close() {
        closeAeron();
    }

    private void closeAeron() {
        CloseHelper.quietClose(aeron);
        aeron = null;
        CloseHelper.quietClose(driver);
        driver = null;
    }

    private void launch() {
        EmbeddedDriver embedded = null;
        Aeron client = null;
        conductorFailure = null;
        try {
            final Aeron.Context context = new Aeron.Context().errorHandler(this::onAeronError);
            if (config.aeronDirectory() == null) {
                embedded = EmbeddedDriver.launch(config.driverIdleStrategy());
                context.aeronDirectoryName(embedded.directory());
            } else {
                context.aeronDirectoryName(config.aeronDirectory());
                context.driverTimeoutMs(Math.max(1_000, config.connectTimeout().toMillis()));
            }
            client = Aeron.connect(context);
        } catch (final RuntimeException ex) {
            CloseHelper.quietClose(client);
            CloseHelper.quietClose(embedded);
            throw new SequentException(ErrorCode.NULL_VAL, "cannot start Aeron for client " + clientId + " ("
                + (config.aeronDirectory() == null ? "embedded driver" : "driver at " + config.aeronDirectory())
                + "): " + ex.getMessage(), ex);
        }
        driver = embedded;
        aeron = client;
    }

    private void onAeronError(final Throwable ex) {
        if (ex instanceof ConductorServiceTimeoutException || ex instanceof DriverTimeoutException
            || ex instanceof ClientTimeoutException) {
            conductorFailure = ex.toString();
        } else {
            LOG.warn("client {}: Aeron error", clientId, ex);
        }
    }
}
