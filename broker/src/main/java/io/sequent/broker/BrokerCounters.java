package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.List;

/**
 * The broker's counters, in an Agrona {@link CountersManager} (type id {@value #TYPE_ID}) that
 * {@link #reader()} exposes; the broker allocates them in its {@link CountersFile}, so another process can read
 * them. Each counter names its writer threads; counters written by several threads
 * are incremented atomically, the others with release semantics.
 */
public final class BrokerCounters implements AutoCloseable {
    /** Aeron counter type id of the broker's counters. */
    public static final int TYPE_ID = 2001;

    /** Frames read from the ingress channel (ingress). */
    public final AtomicCounter framesReceived;
    /** Frames that failed validation, decoding or were not requests (ingress). */
    public final AtomicCounter invalidFrames;
    /** Requests naming an unknown or expired session (ingress). */
    public final AtomicCounter unknownSessions;
    /** Frames dropped because nobody could be answered: no session, or acks=0 errors (ingress). */
    public final AtomicCounter framesDropped;
    /** Produce requests offered to the sequencer (ingress). */
    public final AtomicCounter produceRequests;
    /** Produce requests refused before the sequencer: unknown topic, too large, back-pressure (ingress). */
    public final AtomicCounter produceRefused;
    /** acks=all produce requests answered REQUEST_TIMED_OUT (admin). */
    public final AtomicCounter produceTimeouts;
    /** Fetch requests received (fetch). */
    public final AtomicCounter fetchRequests;
    /** Fetch requests parked as long polls (fetch). */
    public final AtomicCounter fetchParked;
    /** Responses dropped because the client's response publication was back-pressured or gone (any). */
    public final AtomicCounter responsesDropped;
    /** Sessions opened (admin). */
    public final AtomicCounter sessionsOpened;
    /** Sessions ended: disconnect, lost image or timeout (admin). */
    public final AtomicCounter sessionsClosed;
    /** Sessions ended by {@code session.timeout.ms} (admin). */
    public final AtomicCounter sessionsTimedOut;
    /**
     * Requests that passed frame validation but could not be served as sent: a ConnectRequest that does not
     * decode or names a response channel that cannot be used (admin). Logged at a bounded rate
     * ({@link RateLimitedLog}), counted here every time.
     */
    public final AtomicCounter malformedRequests;
    /** Exceptions caught by the agents' error handlers (any). */
    public final AtomicCounter errors;
    /** Replication frames the transport refused (back-pressure, a member not connected): repaired by replay. */
    public final AtomicCounter replicationFramesLost;
    /** Replication frames received that failed validation and were dropped. */
    public final AtomicCounter replicationFramesInvalid;
    /**
     * Replays this member asked its leader for: a batch arrived beyond a gap in the live stream (a lost frame), a
     * heartbeat showed the leader's log ahead, or a join left it behind (replica agent).
     */
    public final AtomicCounter replicationReplaysRequested;
    /** Bytes of record batches offered to the sequencer by produce requests (ingress). */
    public final AtomicCounter bytesIn;
    /** Bytes of log data sent in fetch responses (fetch). */
    public final AtomicCounter bytesOut;
    /** Records in the whole batches sent in fetch responses (fetch). */
    public final AtomicCounter recordsOut;
    /** Ring sequence of the last batch offered to the sequencer (admin, sampled every duty cycle). */
    public final AtomicCounter sequencerPosition;
    /** Highest group sequence durable in the journal (admin, sampled). */
    public final AtomicCounter journalPosition;
    /** Highest group sequence committed; with a replica group of one, the journal position (admin, sampled). */
    public final AtomicCounter commitPosition;

    /** Label prefix, after {@code sequent broker <id>: }, of the answered-error counters, one per code. */
    public static final String ERRORS_ANSWERED = "errors answered ";

    private final AtomicCounter[] errorsByCode;

    private final List<AtomicCounter> all = new ArrayList<>();
    private final CountersManager manager;

    BrokerCounters(final CountersManager manager, final int brokerId) {
        this.manager = manager;
        final String prefix = "sequent broker " + brokerId + ": ";
        framesReceived = add(prefix + "frames received");
        invalidFrames = add(prefix + "invalid frames");
        unknownSessions = add(prefix + "unknown sessions");
        framesDropped = add(prefix + "frames dropped");
        produceRequests = add(prefix + "produce requests");
        produceRefused = add(prefix + "produce refused");
        produceTimeouts = add(prefix + "produce timeouts");
        fetchRequests = add(prefix + "fetch requests");
        fetchParked = add(prefix + "fetch parked");
        responsesDropped = add(prefix + "responses dropped");
        sessionsOpened = add(prefix + "sessions opened");
        sessionsClosed = add(prefix + "sessions closed");
        sessionsTimedOut = add(prefix + "sessions timed out");
        malformedRequests = add(prefix + "malformed requests");
        errors = add(prefix + "errors");
        replicationFramesLost = add(prefix + "replication frames lost");
        replicationFramesInvalid = add(prefix + "replication frames invalid");
        replicationReplaysRequested = add(prefix + "replication replays requested");
        bytesIn = add(prefix + "bytes in");
        bytesOut = add(prefix + "bytes out");
        recordsOut = add(prefix + "records out");
        sequencerPosition = add(prefix + "sequencer position");
        journalPosition = add(prefix + "journal position");
        commitPosition = add(prefix + "commit position");
        int maxCode = 0;
        for (final ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.NULL_VAL) {
                maxCode = Math.max(maxCode, code.value());
            }
        }
        errorsByCode = new AtomicCounter[maxCode + 1];
        for (final ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.NULL_VAL && code != ErrorCode.NONE) {
                errorsByCode[code.value()] = add(prefix + ERRORS_ANSWERED + code.name());
            }
        }
    }

    /**
     * Counts an error answered to a client (ErrorResponse, or a produce or fetch answer carrying the code). Any
     * thread: an atomic increment, no allocation.
     */
    public void countError(final ErrorCode code) {
        if (null != code && code != ErrorCode.NONE && code != ErrorCode.NULL_VAL) {
            final int value = code.value();
            if (value < errorsByCode.length && null != errorsByCode[value]) {
                errorsByCode[value].increment();
            }
        }
    }

    /** The count of errors answered with this code. */
    public long errorsAnswered(final ErrorCode code) {
        final int value = code.value();
        return value < errorsByCode.length && null != errorsByCode[value] ? errorsByCode[value].get() : 0;
    }

    private AtomicCounter add(final String label) {
        final AtomicCounter counter = manager.newCounter(label, TYPE_ID);
        all.add(counter);
        return counter;
    }

    /** @return a reader of every counter, by label. */
    public CountersReader reader() {
        return manager;
    }

    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder("BrokerCounters{");
        manager.forEach((id, typeId, key, label) -> out.append(label).append('=')
            .append(manager.getCounterValue(id)).append(", "));
        return out.append('}').toString();
    }

    @Override
    public void close() {
        CloseHelper.quietCloseAll(all);
    }
}
