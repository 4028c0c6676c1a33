package io.sequent.broker;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The embedded media driver's duty cycle (conductor, sender and receiver, Aeron's INVOKER threading mode) as an
 * agent of the broker thread, so that in {@code broker.threading.mode=shared} the driver, ingress, sequencer,
 * replica and fetch work share one hot thread.
 *
 * <p>A driver in INVOKER mode must be stepped by one thread at a time. That thread is this agent's owner: the
 * thread that starts the broker (its synchronous Aeron calls step the driver while they wait for its answer, through
 * {@link #awaitingInvoker}), then, from {@link #handOver()} on, the broker thread ({@link #onStart}), and at close
 * the closing thread again ({@link #takeOver()}). Any other thread that waits for the driver (the admin thread's
 * synchronous Aeron calls, if any) parks 1 ms per step instead, as Aeron's client does when it has no invoker, while
 * the owner steps the driver.
 *
 * <p>Single writer of the driver's state: the owner thread. The owner field is volatile: its hand-over publishes
 * what the previous owner did to the next one.
 */
final class DriverDuty implements Agent {
    private static final long NOT_OWNER_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AgentInvoker driver;
    private final AgentInvoker awaiting;
    private volatile Thread owner;

    /**
     * @param driver       the driver's shared invoker ({@code MediaDriver.sharedAgentInvoker()}), already started.
     * @param errorHandler what the awaiting invoker reports an error to.
     */
    DriverDuty(final AgentInvoker driver, final ErrorHandler errorHandler) {
        this.driver = driver;
        this.owner = Thread.currentThread();
        this.awaiting = new AgentInvoker(errorHandler, null, new Agent() {
            @Override
            public int doWork() {
                return step();
            }

            @Override
            public String roleName() {
                return "sequent-driver-await";
            }
        });
        awaiting.start();
    }

    /**
     * @return the invoker for {@code Aeron.Context.driverAgentInvoker}: a synchronous Aeron call steps the driver
     * while it waits when it runs on the owner thread.
     */
    AgentInvoker awaitingInvoker() {
        return awaiting;
    }

    /** The starting thread gives the driver up; the broker thread takes it in {@link #onStart()}. */
    void handOver() {
        owner = null;
    }

    /** The calling thread (closing the broker, after the broker thread stopped) steps the driver from now on. */
    void takeOver() {
        owner = Thread.currentThread();
    }

    /**
     * Steps the driver if the calling thread owns it, else parks briefly.
     *
     * @return the driver's work count, 0 when not the owner.
     */
    int step() {
        if (Thread.currentThread() == owner) {
            return driver.invoke();
        }
        LockSupport.parkNanos(NOT_OWNER_PARK_NS);
        return 0;
    }

    /**
     * Steps the driver on the owner thread until it has had nothing to do for {@code quietSteps} steps in a row or
     * {@code timeoutNs} passed: at close, so that the last responses (acknowledgements released while the sequencer
     * drained) leave before the driver closes.
     *
     * @param quietSteps idle steps in a row that end it.
     * @param timeoutNs  the bound.
     */
    void linger(final int quietSteps, final long timeoutNs) {
        final long deadline = System.nanoTime() + timeoutNs;
        int quiet = 0;
        while (quiet < quietSteps && System.nanoTime() - deadline < 0) {
            if (step() > 0) {
                quiet = 0;
            } else {
                quiet++;
                LockSupport.parkNanos(NOT_OWNER_PARK_NS / 10);
            }
        }
    }

    @Override
    public void onStart() {
        owner = Thread.currentThread();
    }

    @Override
    public int doWork() {
        // the broker thread owns the driver while it runs: no owner check on its duty cycle
        return driver.invoke();
    }

    @Override
    public void onClose() {
        owner = null;
    }

    @Override
    public String roleName() {
        return "sequent-driver";
    }
}
