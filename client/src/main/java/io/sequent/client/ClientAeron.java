package io.sequent.client;

import io.aeron.Aeron;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
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
 * <p>In {@code client.threading.mode=caller} neither the driver nor the Aeron client's conductor has
 * a thread: the driver runs in Aeron's INVOKER mode and the client with
 * {@code useConductorAgentInvoker}, and {@link #invoke()}, called first in each duty cycle of the
 * client's I/O, steps both; a synchronous Aeron call (adding a publication) steps the driver while
 * it waits for its answer. In {@code dedicated} mode both have threads and {@link #invoke()} does
 * nothing.
 *
 * <p>Single writer: the thread that starts it and then the thread running the client's I/O duty
 * cycle (the I/O thread, or in caller mode the caller holding the duty cycle) call every method;
 * the Aeron conductor only sets the lost flag from its error handler.
 */
final class ClientAeron implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientAeron.class);

    private final ClientConfig config;
    private final String clientId;
    private final boolean invoked;
    private EmbeddedDriver driver;
    private AgentInvoker driverInvoker;
    private AgentInvoker conductorInvoker;
    private volatile Aeron aeron;
    private volatile String conductorFailure;
    private volatile long rebuilds;

    private ClientAeron(final ClientConfig config, final String clientId) {
        this.config = config;
        this.clientId = clientId;
        this.invoked = config.threadingMode() == ClientConfig.ThreadingMode.CALLER;
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
     * Steps the embedded driver and the Aeron client's conductor once, in caller mode; nothing in
     * dedicated mode, where they have threads of their own.
     *
     * @return work done.
     */
    int invoke() {
        int work = 0;
        final AgentInvoker driverDuty = driverInvoker;
        if (driverDuty != null) {
            work += driverDuty.invoke();
        }
        final AgentInvoker conductorDuty = conductorInvoker;
        if (conductorDuty != null) {
            work += conductorDuty.invoke();
        }
        return work;
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
        conductorInvoker = null;
        CloseHelper.quietClose(aeron);
        aeron = null;
        if (driverInvoker != null) {
            // the client's close commands reach the driver before it closes
            driverInvoker.invoke();
            driverInvoker = null;
        }
        CloseHelper.quietClose(driver);
        driver = null;
    }

    private void launch() {
        EmbeddedDriver embedded = null;
        Aeron client = null;
        conductorFailure = null;
        try {
            final Aeron.Context context = new Aeron.Context().errorHandler(this::onAeronError)
                .useConductorAgentInvoker(invoked);
            if (config.aeronDirectory() == null) {
                embedded = EmbeddedDriver.launch(config.driverIdleStrategy(), invoked);
                context.aeronDirectoryName(embedded.directory()).driverAgentInvoker(embedded.invoker());
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
        driverInvoker = embedded == null ? null : embedded.invoker();
        conductorInvoker = client.conductorAgentInvoker();
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
